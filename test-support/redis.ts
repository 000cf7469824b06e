import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, nothing saved) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty: what a Redis restart without persistence is. */
  start(): Promise<void>;
  /** SIGSTOP: a hung Redis. Connections stay open and nothing is answered until `resume`. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

const READY = /Ready to accept connections/;

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (READY.test(output)) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A `redis-server` of its own on a free loopback port, with a temp dir and no persistence
 * (`--save ''`), stopped and started again by pid so a test can take Redis away.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ks-redis-'));
  let child: ChildProcess | undefined;

  async function start() {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = server;
    await waitReady(server);
    // Keep reading so a full pipe never blocks the server.
    server.stdout?.resume();
  }

  async function stop() {
    const running = child;
    child = undefined;
    if (!running) return;
    running.kill('SIGTERM');
    // A paused server only acts on the SIGTERM once continued.
    running.kill('SIGCONT');
    await waitExit(running);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
