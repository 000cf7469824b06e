import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Builds the executables (`pnpm build:exe`) into a fresh temp dir; returns that dir. */
export function buildExecutables(platforms: string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'ks-exe-build-'));
  const result = spawnSync(
    process.execPath,
    [join(packageRoot, 'exe/build.mjs'), '--platforms', platforms.join(','), '--out', out],
    { encoding: 'utf8', timeout: 240_000 },
  );
  if (result.status !== 0) throw new Error(`build:exe failed:\n${result.stderr}`);
  return out;
}

/**
 * A copy of the executable alone in a new temp dir, as on an outlet's PC: no node, no
 * node_modules, no package.json anywhere above it.
 */
export function installAlone(exe: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ks-outlet-'));
  mkdirSync(join(dir, 'bin'));
  const copy = join(dir, 'bin', name);
  copyFileSync(exe, copy);
  spawnSync('chmod', ['755', copy]);
  return copy;
}

/** Only what a service manager passes: no NODE_* variables, a PATH without Node on it. */
export const BARE_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

export interface ExeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

export function killAllExes(): void {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  running.clear();
}

export function runExe(
  exe: string,
  args: string[],
  env: Record<string, string>,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(exe, args, {
    env: { ...BARE_ENV, ...env },
    cwd: join(exe, '..'),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `serve` on 127.0.0.1:0 and resolves on its ready line (bounded). */
export function startExe(
  exe: string,
  args: string[],
  env: Record<string, string>,
): Promise<ExeProcess> {
  return startExeWith(exe, ['serve', '--host', '127.0.0.1', '--port', '0', ...args], env);
}

/** Starts the executable with exactly `argv`; resolves on its ready line (bounded). */
export function startExeWith(
  exe: string,
  argv: string[],
  env: Record<string, string>,
): Promise<ExeProcess & { stdout: () => string }> {
  if (!existsSync(exe)) throw new Error(`${exe} is missing`);
  const child = spawn(exe, argv, {
    env: { ...BARE_ENV, ...env },
    cwd: join(exe, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`executable did not get ready: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => stderr, stdout: () => stdout, exited });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`executable exited with ${code}: ${stderr}`));
    });
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
