import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from './cliProcess.js';

// An installer copies these commands as they are: each must start a relay, not stop at
// "serve needs --secret-file". Paths are moved into a temp folder; the executable's lines
// (`./kitchen-sync-relay`, it makes its own secret), Docker's and the bridge's (it needs a
// central) are left to their own tests.
const DOCS = ['docs/deployment.md', 'docs/relay.md'];
const root = new URL('../../../', import.meta.url);

/** The `kitchen-sync-relay …` command lines of a doc's shell blocks, continuations joined. */
function documentedCommands(doc: string): string[] {
  const text = readFileSync(new URL(doc, root), 'utf8');
  const blocks = [...text.matchAll(/```(?:bash|sh)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, '').split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => /^kitchen-sync-relay (serve|cert) /.test(line))
    .filter((line) => !line.includes('--central-url'));
}

const dir = mkdtempSync(join(tmpdir(), 'ks-doc-commands-'));
afterEach(killAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The doc's paths, here: /etc/kitchen-sync and /var/lib/kitchen-sync, and the relative ones. */
function localArgs(line: string): string[] {
  const args = line
    .replace(/\[|\]/g, '')
    .replaceAll('/etc/kitchen-sync/', `${dir}/etc/`)
    .replaceAll('/var/lib/kitchen-sync', `${dir}/var`)
    .replaceAll('./dist/', `${dir}/dist/`)
    .replace(/(^| )relay\.secret/g, `$1${dir}/relay.secret`)
    .split(/\s+/)
    .slice(1);
  // Not the test's working folder: `./data` is where the CLI would put it.
  return args.includes('--data-dir') ? args : [...args, '--data-dir', `${dir}/data`];
}

describe('the relay commands the docs give', () => {
  it('finds them', () => {
    for (const doc of DOCS) expect(documentedCommands(doc).length, doc).toBeGreaterThan(1);
  });

  it('run as written: cert issues, serve starts', async () => {
    // What the commands expect to exist: a secret, built apps, a company's certificate files.
    mkdirSync(`${dir}/etc`, { recursive: true });
    for (const secret of [`${dir}/etc/secret`, `${dir}/relay.secret`]) {
      expect((await runCli(['secret', '--secret-file', secret])).code).toBe(0);
    }
    for (const app of ['kiosk', 'kitchen']) {
      mkdirSync(`${dir}/dist/${app}`, { recursive: true });
      writeFileSync(`${dir}/dist/${app}/index.html`, `<title>${app}</title>`);
    }
    const company = `${dir}/company`;
    expect((await runCli(['cert', '--tls-dir', company, '--name', 'relay.local'])).code).toBe(0);
    copyFileSync(`${company}/relay.crt`, `${dir}/etc/relay.crt`);
    copyFileSync(`${company}/relay.key`, `${dir}/etc/relay.key`);
    copyFileSync(`${company}/ca.crt`, `${dir}/etc/ca.crt`);
    copyFileSync(`${company}/ca.crt`, `${dir}/etc/company-ca.crt`);

    for (const line of DOCS.flatMap(documentedCommands)) {
      const [command, ...flags] = localArgs(line);
      if (command === 'cert') {
        const run = await runCli([command, ...flags]);
        expect(run.code, `${line}\n${run.stderr}`).toBe(0);
        continue;
      }
      const relay = await startCli(flags).catch((error: Error) => {
        throw new Error(`${line}\n${error.message}`);
      });
      expect(relay.url, line).toMatch(line.includes('--tls') ? /^https:/ : /^http:/);
      relay.child.kill('SIGTERM');
      await relay.exited;
    }
  }, 60_000);
});
