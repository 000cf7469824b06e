import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KitchenSyncError } from '@kitchen-sync/protocol';
import { flagValue } from './parseFlags.js';
import { newSecret } from './secret.js';

/** True inside the single-file executable (Node's SEA), false under `node` / `npx`. */
export function isExecutable(): boolean {
  const sea = process.getBuiltinModule?.('node:sea') as { isSea?: () => boolean } | undefined;
  return sea?.isSea?.() ?? false;
}

export interface ExecutableSetting {
  env: Record<string, string>;
  /** Said once on the console: a secret was just created, and how to make tokens. */
  notice?: string;
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `--data-dir X`, `--data-dir=X`, then KS_DATA_DIR: what the command itself will use. */
const givenDataDir = (argv: string[], env: NodeJS.ProcessEnv): string | undefined =>
  flagValue(argv, '--data-dir') ?? env.KS_DATA_DIR;

/**
 * Where the executable keeps its log when nobody said: `data` beside the executable (a
 * USB stick, a folder on the desktop), else the machine's place for service data. A command
 * that only reads (`status`, `token` with a secret already made) takes the folder beside it
 * whenever it exists, writable or not: it is the relay's, even when another user (root, the
 * boot task) owns it, and a second, empty data dir elsewhere would only mislead.
 */
export function defaultDataDir(
  exePath: string,
  platform = process.platform,
  env = process.env,
  forWriting = true,
) {
  const beside = join(dirname(exePath), 'data');
  const machine =
    platform === 'win32'
      ? join(env.ProgramData ?? 'C:\\ProgramData', 'kitchen-sync', 'data')
      : '/var/lib/kitchen-sync/data';
  if (forWriting) return writable(beside) ? beside : machine;
  // Reading: the machine's place only when the relay has put its data there, never created.
  return !existsSync(beside) && existsSync(machine) ? machine : beside;
}

const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A data dir this user may not read or write: said with a code, never as a stack trace. */
function permissionError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code;
  if (!code || !DENIED.has(code)) return error;
  return new KitchenSyncError(
    'data_dir_permissions',
    `cannot use ${path} (${code}): run this as the user who runs the relay (for a boot task on Linux: sudo), or give --data-dir`,
    { path },
  );
}

/** The executable's log when none is given: `logs` beside the data dir. */
export const executableLogFile = (dataDir: string): string =>
  join(dirname(resolve(dataDir)), 'logs', 'kitchen-sync-relay.log');

/**
 * What `kitchen-sync-relay.exe` with no arguments needs so that it just starts: a data dir,
 * a secret (created on first start in `<data dir>/secret`, and shown once with how to make
 * tokens) and a log file beside the data dir. Anything given in flags or KS_* wins; only
 * what is missing is filled in, as KS_* variables the usual parsing then reads.
 */
export function executableDefaults(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  exePath: string,
): ExecutableSetting {
  const readOnly = command === 'status' || command === 'token' || command === 'secret';
  const dataDir = resolve(
    givenDataDir(argv, env) ?? defaultDataDir(exePath, process.platform, env, !readOnly),
  );
  try {
    return fillDefaults(command, argv, env, dataDir);
  } catch (error) {
    throw permissionError(error, dataDir);
  }
}

function fillDefaults(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  dataDir: string,
): ExecutableSetting {
  const filled: Record<string, string> = { KS_DATA_DIR: dataDir };
  if (command !== 'serve' && command !== 'token') return { env: filled };
  if (command === 'serve' && flagValue(argv, '--log-file') === undefined && !env.KS_LOG_FILE) {
    filled.KS_LOG_FILE = executableLogFile(dataDir);
  }
  const secretGiven =
    env.KS_SECRET || env.KS_SECRET_FILE || argv.some((a) => a.startsWith('--secret-file'));
  if (secretGiven || argv.includes('--insecure-no-auth')) return { env: filled };
  const secretFile = join(dataDir, 'secret');
  filled.KS_SECRET_FILE = secretFile;
  if (existsSync(secretFile) && readFileSync(secretFile, 'utf8').trim() !== '') {
    return { env: filled };
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(secretFile, `${newSecret()}\n`, { mode: 0o600 });
  const exe = process.platform === 'win32' ? 'kitchen-sync-relay.exe' : './kitchen-sync-relay';
  return {
    env: filled,
    notice: [
      `A new secret was created in ${secretFile}.`,
      'Keep it private: whoever has it can make tokens. Tokens for the devices:',
      `  ${exe} token --role pos --outlet 1        (a POS or kiosk)`,
      `  ${exe} token --role kitchen --outlet 1    (a kitchen display)`,
      '',
    ].join('\n'),
  };
}
