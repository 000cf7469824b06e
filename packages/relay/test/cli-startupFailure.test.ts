import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

const entries = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: number; code?: string; msg: string });

// The boot task and START_KITCHEN_SYNC.bat's closed window show nobody stderr: the log file
// is where the reason a relay did not start must be.
describe('a relay that refuses to start', () => {
  it('writes the coded reason to its log file as well as to stderr', async () => {
    const dir = tempDir('ks-startfail-');
    const logFile = join(dir, 'logs', 'relay.log');
    const missing = join(dir, 'nope.crt');
    const result = await runCli(
      ['serve', '--data-dir', join(dir, 'data'), '--tls-cert', missing, '--tls-key', missing],
      { KS_SECRET: SECRET, KS_LOG_FILE: logFile },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[tls_cert_missing]');
    const [entry] = entries(logFile);
    expect(entry).toMatchObject({ level: 60, code: 'tls_cert_missing' });
    expect(entry!.msg).toMatch(/^relay did not start: .*nope\.crt.* \[tls_cert_missing\]$/);
    // Made by this line, the log is the relay user's alone as the running relay makes it.
    if (process.platform !== 'win32') expect(statSync(logFile).mode & 0o777).toBe(0o600);
  });

  it('logs a CA key others can read, and a usage error, to --log-file', async () => {
    const dir = tempDir('ks-startfail-');
    const logFile = join(dir, 'relay.log');
    const tlsDir = join(dir, 'tls');
    const first = await runCli(['cert', '--tls-dir', tlsDir]);
    expect(first.code).toBe(0);
    chmodSync(join(tlsDir, 'ca.key'), 0o644);
    const refused = await runCli(
      [
        'serve',
        '--data-dir',
        join(dir, 'data'),
        '--tls',
        'auto',
        '--tls-dir',
        tlsDir,
        `--log-file=${logFile}`,
      ],
      { KS_SECRET: SECRET },
    );
    expect(refused.code).toBe(1);
    const usage = await runCli(['serve', '--tsl', 'auto', '--log-file', logFile], {
      KS_SECRET: SECRET,
    });
    expect(usage.code).toBe(2);
    const [permissions, unknownFlag] = entries(logFile);
    expect(permissions).toMatchObject({ level: 60, code: 'tls_ca_key_permissions' });
    expect(unknownFlag!.msg).toContain("Unknown option '--tsl'");
  });

  it('leaves the log file alone when another command fails', async () => {
    const dir = tempDir('ks-startfail-');
    const logFile = join(dir, 'relay.log');
    writeFileSync(logFile, '');
    const token = await runCli(['token', '--role', 'nobody'], {
      KS_SECRET: SECRET,
      KS_LOG_FILE: logFile,
    });
    expect(token.code).toBe(2);
    expect(readFileSync(logFile, 'utf8')).toBe('');
  });
});

describe('status, when nothing answers', () => {
  it("quotes the log's last error since the relay last started or stopped cleanly", async () => {
    const dir = tempDir('ks-startfail-');
    const logFile = join(dir, 'relay.log');
    const missing = join(dir, 'nope.crt');
    const port = '9';
    await runCli(['serve', '--tls-cert', missing, '--tls-key', missing], {
      KS_SECRET: SECRET,
      KS_LOG_FILE: logFile,
    });
    const down = await runCli(['status', '--port', port], { KS_LOG_FILE: logFile });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('NOT RUNNING');
    expect(down.stdout).toMatch(
      /its log's last error \(\d{4}-.*\): relay did not start: .*\[tls_cert_missing\]/,
    );
    expect(down.stdout).toContain(`(in ${logFile})`);
    const indonesian = await runCli(['status', '--port', port, '--lang', 'id'], {
      KS_LOG_FILE: logFile,
    });
    expect(indonesian.stdout).toContain('galat terakhir di log-nya');
    // A clean stop after it: the old error is not why the relay is down.
    const closed = { level: 30, time: Date.now(), msg: 'relay closed' };
    writeFileSync(logFile, `${readFileSync(logFile, 'utf8')}${JSON.stringify(closed)}\n`);
    const after = await runCli(['status', '--port', port], { KS_LOG_FILE: logFile });
    expect(after.stdout).toContain('NOT RUNNING');
    expect(after.stdout).not.toContain('last error');
  });
});
