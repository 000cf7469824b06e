import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine'];

/** Debian's wine64 (`apt-get install wine64`); .ci/run installs it. */
export function findWine(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error('Wine is missing: apt-get install -y wine64 (CI does it in .ci/run)');
  return found;
}

// One prefix for every run: creating it takes ~15 s. Node refuses to start on the Windows 7
// that a new prefix reports, so it is told Windows 10.
const PREFIX = join(homedir(), '.cache', 'kitchen-sync', 'wine-prefix');
export const WINE_ENV = { WINEPREFIX: PREFIX, WINEDEBUG: '-all', HOME: homedir() };

export function prepareWine(wine: string): void {
  mkdirSync(PREFIX, { recursive: true });
  const result = spawnSync(
    wine,
    ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'],
    { env: { ...process.env, ...WINE_ENV }, encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) throw new Error(`wine reg add failed: ${result.stderr}`);
}

export interface WineProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string>;
}

/**
 * Runs a Windows program under Wine. Its stdout and stderr go to files: Node under Wine
 * cannot write to a pipe (EBADF), which is also how a double-clicked .bat runs it anyway.
 */
export function startUnderWine(
  wine: string,
  exe: string,
  args: string[],
  env: Record<string, string>,
  logName = 'wine-output.txt',
): WineProcess {
  const cwd = join(exe, '..');
  const log = join(cwd, logName);
  const fd = openSync(log, 'w');
  const child = spawn(wine, [exe, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...WINE_ENV, ...env },
    stdio: ['ignore', fd, fd],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, exited, output: () => readFileSync(log, 'utf8') };
}

/** Ends every process of this prefix (the relay and the wineserver it started). */
export function stopWine(wine: string): void {
  const server = join(wine, '..', 'wineserver');
  const command = existsSync(server) ? server : 'wineserver';
  spawnSync(command, ['-k'], { env: { ...process.env, ...WINE_ENV }, timeout: 30_000 });
}
