import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { autostartCommand } from '../src/cli/autostart.js';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import {
  closeClients,
  connected,
  http,
  refusalError,
  removeTempDirs,
  SECRET,
  tempDir,
  tokenFor,
} from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-outlets-cli-'));
});
afterEach(() => {
  closeClients();
  killAll();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const parsed = parseCli(['serve', ...argv], { KS_SECRET: SECRET, ...env });
  if (parsed.command !== 'serve') throw new Error('not serve');
  return parsed.options;
};

const codeOfParse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parseCli(argv, { KS_SECRET: SECRET, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return (error as CliError).code;
  }
  return 'accepted';
};

/** A relay credential: the relay reads its claims only (central checks the signature). */
function credentialFile(outlet: number | string): string {
  const file = join(dir, 'central.token');
  const claims = Buffer.from(JSON.stringify({ sub: 'relay', role: 'relay', outlet }));
  writeFileSync(file, `x.${claims.toString('base64url')}.y\n`, { mode: 0o600 });
  return file;
}

describe('serve --outlet', () => {
  it('takes repeated flags, or KS_OUTLETS as a list; flags win; none = any outlet', () => {
    expect(serve(['--outlet', '3', '--outlet', 'kiosk-4']).outlets).toEqual(['3', 'kiosk-4']);
    expect(serve([], { KS_OUTLETS: '3, 4' }).outlets).toEqual(['3', '4']);
    expect(serve(['--outlet', '5'], { KS_OUTLETS: '3,4' }).outlets).toEqual(['5']);
    expect(serve([]).outlets).toBeUndefined();
    // A list in one flag is a list, as in the variable: not one outlet named "3,4".
    expect(serve(['--outlet', '3,4', '--outlet', ' 5']).outlets).toEqual(['3', '4', '5']);
    // KS_OUTLET is the token command's: it does not limit serve.
    expect(serve([], { KS_OUTLET: '3' }).outlets).toBeUndefined();
    expect(HELP).toContain('--outlet O');
  });

  it('refuses ids the protocol refuses with outlet_invalid', () => {
    expect(codeOfParse(['serve', '--outlet', ''])).toBe('outlet_invalid');
    expect(codeOfParse(['serve', '--outlet', '3,'])).toBe('outlet_invalid');
    expect(codeOfParse(['serve', '--outlet', 'x'.repeat(65)])).toBe('outlet_invalid');
    expect(codeOfParse(['serve', '--outlet', 'x'.repeat(64)])).toBe('accepted');
  });

  it('refuses a central credential of an outlet it does not serve, whichever way the id is spelled', () => {
    const flags = (outlet: number | string) => [
      'serve',
      '--outlet',
      '3',
      '--central-url',
      'https://central.example.com/',
      '--central-token-file',
      credentialFile(outlet),
    ];
    expect(codeOfParse(flags(7))).toBe('central_outlet_not_served');
    expect(codeOfParse(flags(3))).toBe('accepted');
    expect(codeOfParse(flags('3'))).toBe('accepted');
  });

  it('token takes one --outlet', () => {
    expect(codeOfParse(['token', '--role', 'pos', '--outlet', '1', '--outlet', '2'])).toBe(
      'token_outlet_repeated',
    );
    const parsed = parseCli(['token', '--role', 'pos'], { KS_SECRET: SECRET, KS_OUTLET: '9' });
    expect(parsed).toMatchObject({ command: 'token', outlet: '9', sub: 'pos-9' });
  });

  it('autostart writes --outlet into the boot command, and refuses a bad one at install', () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const install = (flags: string[]) =>
      autostartCommand(
        ['install', '--data-dir', '/opt/ks/data', '--dry-run', '--', ...flags],
        {},
        ['/opt/ks/kitchen-sync-relay'],
        true,
        'linux',
      );
    expect(install(['--outlet', '3', '--outlet', '4'])).toBe(0);
    expect(printed.join('')).toContain(
      'ExecStart=/opt/ks/kitchen-sync-relay serve --data-dir /opt/ks/data --outlet 3 --outlet 4',
    );
    expect(() => install(['--outlet', ''])).toThrow(
      expect.objectContaining({ code: 'outlet_invalid' }),
    );
  });
});

describe('a relay process with --outlet', () => {
  it("refuses another outlet's tablet with outlet_not_served, serves its own, and status says both", async () => {
    const relay = await startCli(['--outlet', '3', '--outlet', '4'], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: join(tempDir(), 'data'),
    });
    const error = await refusalError(relay.url, {
      token: await tokenFor('kitchen', { outlet: 7, sub: 'kds-7' }),
      client_id: 'kds-7',
    });
    expect([error.message, error.data?.reason, error.data?.outlet]).toEqual([
      'unauthorized',
      'outlet_not_served',
      '7',
    ]);
    await connected(relay.url, {
      token: await tokenFor('kitchen', { outlet: 3 }),
      client_id: 'kds-3',
    });
    const health = await http(relay.url, '/health');
    expect(health.body.served_outlets).toEqual(['3', '4']);

    const port = new URL(relay.url).port;
    for (const [lang, served, refused] of [
      [
        'en',
        'serves outlet 3, 4 only (--outlet)',
        'WARNING: 1 device refused in the last 10 min: token for an outlet this relay does not serve (--outlet)',
      ],
      [
        'id',
        'hanya melayani outlet 3, 4 (--outlet)',
        'PERINGATAN: 1 perangkat ditolak dalam 10 menit terakhir: token untuk outlet yang tidak dilayani relay ini (--outlet)',
      ],
    ] as const) {
      const status = await runCli(['status', '--port', port, '--lang', lang]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(served);
      expect(status.stdout).toContain(refused);
    }
  });

  it('exits non-zero with the code for an --outlet or a central credential that cannot work', async () => {
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: join(tempDir(), 'data') };
    const bad = await runCli(['serve', '--port', '0', '--outlet', ''], env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('[outlet_invalid]')]);
    const central = await runCli(
      [
        'serve',
        '--port',
        '0',
        '--outlet',
        '3',
        '--central-url',
        'http://127.0.0.1:9/',
        '--central-token-file',
        credentialFile(7),
      ],
      env,
    );
    expect([central.code, central.stderr]).toEqual([
      2,
      expect.stringContaining('[central_outlet_not_served]'),
    ]);
    expect(central.stderr).not.toMatch(/\n\s+at /);
  });
});
