import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../relay/dist/cli.js', import.meta.url));
const READY = /kitchen-sync-relay listening on (http:\/\/\S+)/;

export interface TokenRequest {
  role: 'pos' | 'kitchen' | 'monitor' | 'admin';
  sub: string;
  outlet?: string | number;
  tenants?: Array<string | number>;
}

/** The relay CLI as a child process on 127.0.0.1, restartable on the same port and data dir. */
export interface RelayProcess {
  readonly url: string;
  readonly dataDir: string;
  /** SIGKILL: no flush, no goodbye; what a power cut does. */
  kill(): Promise<void>;
  /** Starts again on the same port and data directory. */
  restart(): Promise<void>;
  token(request: TokenRequest): Promise<string>;
  /** Stops the child (if running) and removes the temp directory. */
  close(): Promise<void>;
}

export interface RelayProcessOptions {
  startTimeoutMs?: number;
  extraArgs?: string[];
}

export async function startRelayProcess(options: RelayProcessOptions = {}): Promise<RelayProcess> {
  if (!existsSync(CLI)) {
    throw new Error(`relay CLI not built: ${CLI} (run pnpm build)`);
  }
  const root = await mkdtemp(join(tmpdir(), 'ks-relay-'));
  const dataDir = join(root, 'data');
  const secretFile = join(root, 'secret');
  await writeFile(secretFile, `secret-${crypto.randomUUID()}`, { mode: 0o600 });
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  let child: ChildProcess | null = null;
  let url = '';

  const launch = async (port: number): Promise<void> => {
    const args = [
      CLI,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--secret-file',
      secretFile,
      '--log-level',
      'error',
      ...(options.extraArgs ?? []),
    ];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`relay did not start within ${timeoutMs} ms: ${err}`));
      }, timeoutMs);
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = READY.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      proc.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`relay exited with ${code} before it was ready: ${err}`));
      });
    });
  };

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const forced = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(forced);
  };

  await launch(0);
  const port = Number(new URL(url).port);

  return {
    get url() {
      return url;
    },
    dataDir,
    kill: () => stop('SIGKILL'),
    restart: () => launch(port),
    token(request) {
      const args = [CLI, 'token', '--secret-file', secretFile, '--role', request.role];
      args.push('--outlet', String(request.outlet ?? 1), '--sub', request.sub, '--ttl', '1h');
      for (const tenant of request.tenants ?? []) args.push('--tenant', String(tenant));
      return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { timeout: timeoutMs }, (error, stdout) =>
          error ? reject(error) : resolve(stdout.trim()),
        );
      });
    },
    async close() {
      await stop('SIGTERM');
      await rm(root, { recursive: true, force: true });
    },
  };
}
