import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

// The relay as an operator runs it: its built CLI in a process of its own, on loopback.

export const CLI = fileURLToPath(new URL('../../../relay/dist/cli.js', import.meta.url));
const READY = /kitchen-sync-relay listening on (http:\/\/\S+)/;

export interface RelayProcess {
  url: string;
  port: number;
  stderr: () => string;
  child: ChildProcess;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
});

export function requireBuiltRelay(): void {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: pnpm --filter @kitchen-sync/relay build`);
}

/** `serve` on a data dir; `port` 0 = any free one (a restart passes the last one's). */
export function startRelay(dataDir: string, secretFile: string, port = 0): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir].concat([
      '--secret-file',
      secretFile,
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay not ready: ${err}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = READY.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ url, port: Number(new URL(url).port), stderr: () => err, child });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}: ${err}`));
    });
  });
}

/** A power cut: no graceful stop, no checkpoint. */
export function kill(relay: RelayProcess): Promise<void> {
  return new Promise((resolve) => {
    relay.child.once('exit', () => resolve());
    relay.child.kill('SIGKILL');
  });
}

export function token(secretFile: string, role: string, sub: string): Promise<string> {
  const args = [CLI, 'token', '--secret-file', secretFile, '--role', role, '--outlet', '1'];
  args.push('--sub', sub, '--ttl', '1h');
  if (role === 'kitchen') args.push('--tenant', '1');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    ),
  );
}
