import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './stats.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const linuxExecutable = join(packageDir, 'exe', 'out', 'linux-x64', 'kitchen-sync-relay');
const HEALTH_POLL_MS = 5;

export interface ColdStart {
  /** What was started: the executable, or `node dist/cli.js` for comparison. */
  command: string;
  size_mb?: number;
  /** Spawn to the first `/health` 200, each start on a new data dir. */
  to_health_ms: { median: number; max: number; samples: number[] };
}

/** The executable as `pnpm build:exe` makes it (built here if it is not there yet). */
export function ensureLinuxExecutable(): string {
  if (!existsSync(linuxExecutable)) {
    const result = spawnSync(
      process.execPath,
      [join(packageDir, 'exe', 'build.mjs'), '--platforms', 'linux-x64'],
      { stdio: 'inherit' },
    );
    if (result.status !== 0) throw new Error('pnpm build:exe failed');
  }
  return linuxExecutable;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function once(argv: string[], secret: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ks-bench-cold-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    argv[0]!,
    [...argv.slice(1), 'serve', '--host', '127.0.0.1', '--port', String(port)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        KS_SECRET: secret,
        KS_DATA_DIR: dataDir,
        KS_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    // Polling is the measurement: the first 200 is the moment a client could use it.
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ok) return Math.round((performance.now() - started) * 10) / 10;
      if (performance.now() - started > 30_000) throw new Error(`${argv[0]} did not start`);
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Scenario G: how long from double-click to a relay that answers. */
export async function measureColdStart(
  argv: string[],
  label: string,
  runs: number,
  secret: string,
): Promise<ColdStart> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once(argv, secret));
  const { p50, max } = summarize(Float64Array.from(samples));
  return {
    command: label,
    ...(argv.length === 1 ? { size_mb: Math.round(statSync(argv[0]!).size / 1e5) / 10 } : {}),
    to_health_ms: { median: p50, max, samples },
  };
}
