import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { KitchenSyncError } from '@kitchen-sync/protocol';
import { PRIVATE_DIR_MODE } from '../lib/privateFiles.js';
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
    // Guests' data and the secret go in it: this user's alone.
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `--data-dir X`, `--data-dir=X`, then KS_DATA_DIR: what the command itself will use. */
const givenDataDir = (argv: string[], env: NodeJS.ProcessEnv): string | undefined =>
  flagValue(argv, '--data-dir') ?? env.KS_DATA_DIR;

const isFolder = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Where the executable keeps its data when nobody said, the same for every command (`serve`,
 * `autostart install`, `status`, `token`), so an outlet's secret, log and orders stay in one
 * place whoever runs it: `data` beside the executable (a USB stick, a folder on the desktop)
 * whenever that folder exists, even when another user (root, the boot task, an administrator)
 * owns it: a second, empty data dir elsewhere would be a second outlet with its own secret.
 * Else the machine's place for service data when the relay has put its data there before
 * (the cashier's START_KITCHEN_SYNC.bat could not create `data` in C:\Program Files; the
 * administrator's INSTALL_AUTOSTART.bat must then register that one, not a new `data`).
 * Else, for a command that writes, `data` beside it if it can be created, or the machine's.
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
  if (isFolder(beside)) return beside;
  if (isFolder(machine)) return machine;
  if (!forWriting) return beside;
  return writable(beside) ? beside : machine;
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

/**
 * The executable's log when none is given. For the usual layout, a folder named `data` (the
 * zip's, or ProgramData's), `logs` beside it, as always. Any other data dir keeps its log in
 * its own `logs` folder: beside `C:\Dapur Utama` it would be `C:\logs`, shared by every relay
 * whose data dir sits directly on that drive (and `status` of one would quote the other's errors).
 */
export function executableLogFile(dataDir: string): string {
  const dir = resolve(dataDir);
  const parent = dirname(dir);
  const usualLayout = basename(dir).toLowerCase() === 'data' && parent !== parse(dir).root;
  return join(usualLayout ? parent : dir, 'logs', 'kitchen-sync-relay.log');
}

/**
 * What `kitchen-sync-relay.exe` with no arguments needs so that it just starts: a data dir,
 * a secret (created on first start in `<data dir>/secret`, and shown once with how to make
 * tokens) and a log file (executableLogFile). Anything given in flags or KS_* wins; only
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
  // The data dir of another user (the boot task's, root's) is refused, never swapped silently
  // for a second one elsewhere with its own secret.
  if (command === 'serve' && existsSync(dataDir)) accessSync(dataDir, constants.W_OK);
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
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
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
