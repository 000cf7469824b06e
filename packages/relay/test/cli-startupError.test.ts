import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startupProblem } from '../src/cli/startupError.js';
import { CliError, parseCli } from '../src/cliOptions.js';
import { runCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  removeTempDirs();
});

const listenError = (port: number, host: string) =>
  new Promise<Error>((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', resolve);
    server.listen(port, host, () => reject(new Error(`listened on ${host}:${port}`)));
  });

const busyPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

describe('start-up refusals from the operating system', () => {
  it('a port in use: port_in_use, naming the port and address', async () => {
    const port = await busyPort();
    const problem = startupProblem(await listenError(port, '127.0.0.1'));
    expect(problem?.code).toBe('port_in_use');
    expect(problem?.details).toEqual({ address: '127.0.0.1', port });
    expect(problem?.message).toContain(`port ${port} on 127.0.0.1`);
  });

  it('a --host this computer does not have: host_unavailable', async () => {
    // TEST-NET-1: never an address of this machine.
    const problem = startupProblem(await listenError(0, '192.0.2.77'));
    expect(problem?.code).toBe('host_unavailable');
    expect(problem?.message).toContain('192.0.2.77');
  });

  it('a folder that cannot be created (a drive that is not there): dir_unavailable', () => {
    // What Windows says for --data-dir Q:\KitchenSync\data with no drive Q:.
    const missingDrive = Object.assign(
      new Error("ENOENT: no such file or directory, mkdir 'Q:\\KitchenSync\\data'"),
      { code: 'ENOENT', errno: -4058, syscall: 'mkdir', path: 'Q:\\KitchenSync\\data' },
    );
    expect(startupProblem(missingDrive)).toMatchObject({
      code: 'dir_unavailable',
      details: { path: 'Q:\\KitchenSync\\data' },
    });
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    let notAFolder: unknown;
    try {
      mkdirSync(join(file, 'data'), { recursive: true });
    } catch (error) {
      notAFolder = error;
    }
    expect(startupProblem(notAFolder)?.code).toBe('dir_unavailable');
    // Anything else is left as it is.
    expect(startupProblem(Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'open' }))).toBe(
      undefined,
    );
    expect(startupProblem(new Error('boom'))).toBe(undefined);
  });

  it.each(['99999', '65536', '1.5', '-1', 'abc'])('refuses --port %s as a usage error', (port) => {
    const parse = () => parseCli(['serve', '--port', port], { KS_SECRET: SECRET });
    expect(parse).toThrow(CliError);
  });

  it('refuses --port beyond 65535 with port_invalid, and takes 0 and 65535', () => {
    expect(() => parseCli(['serve', '--port', '99999'], { KS_SECRET: SECRET })).toThrow(
      expect.objectContaining({ code: 'port_invalid' }),
    );
    for (const port of ['0', '65535']) {
      expect(parseCli(['serve', '--port', port], { KS_SECRET: SECRET })).toMatchObject({
        options: { port: Number(port) },
      });
    }
  });

  it('serve says each in one line with its code, never a stack trace', async () => {
    const dataDir = tempDir();
    const port = await busyPort();
    const cases: Array<[string[], number, string]> = [
      [['--port', String(port), '--host', '127.0.0.1'], 1, `[port_in_use]`],
      [['--port', '99999'], 2, '[port_invalid]'],
      [['--port', '0', '--host', '192.0.2.77'], 1, '[host_unavailable]'],
    ];
    for (const [flags, exitCode, code] of cases) {
      const out = await runCli(['serve', '--data-dir', dataDir, ...flags], { KS_SECRET: SECRET });
      expect([out.code, out.stderr]).toEqual([exitCode, expect.stringContaining(code)]);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
    const file = join(dataDir, 'a-file');
    writeFileSync(file, '');
    const out = await runCli(['serve', '--data-dir', join(file, 'data'), '--port', '0'], {
      KS_SECRET: SECRET,
    });
    expect([out.code, out.stderr]).toEqual([1, expect.stringContaining('[dir_unavailable]')]);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('files it cannot read or write: each a code in brackets, one line, its exit code', async () => {
    const dir = tempDir();
    const aFile = join(dir, 'a-file');
    writeFileSync(aFile, '');
    const credential = join(dir, 'central.token');
    writeFileSync(credential, 'not a JWT\n', { mode: 0o600 });
    const cases: Array<[string[], Record<string, string>, number, string]> = [
      [
        ['secret', '--secret-file', join(dir, 'no-such-dir', 'x')],
        {},
        1,
        '[secret_file_unwritable]',
      ],
      [['serve', '--secret-file', join(dir, 'missing')], {}, 2, '[secret_file_unreadable]'],
      [
        ['serve', '--central-url', 'http://c', '--central-token-file', credential],
        { KS_SECRET: SECRET },
        2,
        '[invalid_central_token]',
      ],
      [
        ['serve', '--central-url', 'http://c', '--central-token-file', join(dir, 'none')],
        { KS_SECRET: SECRET },
        2,
        '[central_token_file_unreadable]',
      ],
      // Its folder is a file: mkdir says EEXIST, as a folder above it being a file says ENOTDIR.
      [
        [
          'serve',
          '--data-dir',
          join(dir, 'data'),
          '--port',
          '0',
          '--log-file',
          join(aFile, 'relay.log'),
        ],
        { KS_SECRET: SECRET },
        1,
        '[log_file_unwritable]',
      ],
      [
        [
          'serve',
          '--data-dir',
          join(dir, 'data'),
          '--port',
          '0',
          '--log-file',
          join(aFile, 'logs', 'relay.log'),
        ],
        { KS_SECRET: SECRET },
        1,
        '[log_file_unwritable]',
      ],
    ];
    for (const [argv, env, exitCode, code] of cases) {
      const out = await runCli(argv, env);
      expect([out.code, out.stderr], argv.join(' ')).toEqual([
        exitCode,
        expect.stringContaining(code),
      ]);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it.runIf(process.platform !== 'win32')(
    'a secret or central credential file other accounts may read is made private, and said so; the relay still starts',
    async () => {
      const dir = tempDir();
      const secret = join(dir, 'relay.secret');
      writeFileSync(secret, `${SECRET}\n`);
      chmodSync(secret, 0o644);
      const credential = join(dir, 'central.token');
      writeFileSync(credential, 'not a JWT\n');
      chmodSync(credential, 0o640);
      const modeOf = (path: string) => statSync(path).mode & 0o777;

      const out = await runCli(
        ['token', '--secret-file', secret, '--role', 'pos', '--outlet', '1'],
        {},
      );
      expect([out.code, out.stderr]).toEqual([
        0,
        expect.stringContaining(
          `[secret_file_permissions] made ${secret} (644 → 600) private: whoever reads it can make tokens`,
        ),
      ]);
      expect(modeOf(secret)).toBe(0o600);

      // Past the mode: what the file holds is checked next.
      let refused: unknown;
      try {
        parseCli(['serve', '--central-url', 'http://c', '--central-token-file', credential], {
          KS_SECRET: SECRET,
        });
      } catch (error) {
        refused = (error as CliError).code;
      }
      expect(refused).toBe('invalid_central_token');
      expect(modeOf(credential)).toBe(0o600);
    },
  );
});
