import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface RelayProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

/** Kills every CLI child this test file started and is still running. */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  running.clear();
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // 'close', not 'exit': the last output may still be in the pipes when the process exits.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts `serve` and resolves once it printed its ready line (bounded). `readStderr: false`
 * leaves its stderr pipe unread, as a supervisor that stopped reading would. `stdoutClosed`
 * closes its stdout pipe at once, as by a supervisor gone before the ready line (which then
 * meets EPIPE): ready is then the "relay listening" log line on stderr.
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  options: { readStderr?: boolean; stdoutClosed?: boolean } = {},
): Promise<RelayProcess> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run pnpm --filter @kitchen-sync/relay build`);
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  const readStderr = options.readStderr !== false || options.stdoutClosed === true;
  if (options.stdoutClosed) child.stdout.destroy();
  let stdout = '';
  let stderr = '';
  // With stderr read, 'close' waits for its last lines; an unread pipe never closes, so
  // then the process exit is all there is to wait for.
  const exited = new Promise<number | string>((resolve) =>
    child.on(readStderr ? 'close' : 'exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay did not get ready: ${stderr}`));
    }, 10_000);
    const ready = (url: string) => {
      clearTimeout(timer);
      resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exited });
    };
    if (readStderr)
      child.stderr.on('data', (d) => {
        stderr += d;
        const match = /"port":(\d+).*"msg":"relay listening"/.exec(stderr);
        if (options.stdoutClosed && match) ready(`http://127.0.0.1:${match[1]}`);
      });
    if (!options.stdoutClosed)
      child.stdout.on('data', (d) => {
        stdout += d;
        const match = /listening on (https?:\/\/\S+)/.exec(stdout);
        if (match) ready(match[1]!);
      });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}: ${stderr}`));
    });
  });
}
