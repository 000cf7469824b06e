import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCpuMs, readRssBytes } from './procStats.js';

/**
 * `durable-tls`: the durable relay with `--tls auto` (HTTPS + WSS), otherwise the same.
 * `durable-node-sqlite`: the durable relay on the pinned Node 22 binary the executables are
 * built from, so its log runs on node:sqlite (the bench's own Node 20 runs better-sqlite3).
 */
export type RelayKind = 'durable' | 'durable-tls' | 'durable-node-sqlite' | 'plain';
/** Kinds measured at the steady rate only, beside the durable relay. */
export type SteadyOnlyKind = 'durable-tls' | 'durable-node-sqlite';

export interface RelayProcess {
  kind: RelayKind;
  url: string;
  /** A cluster: every node's URL; clients are spread over them (url is the first). */
  urls?: string[];
  /** The CA that clients of an `https://` relay must trust. */
  caPem?: string;
  pid: number;
  rssBytes(): number;
  cpuMs(): number;
  /** The last lines the relay printed, for diagnosing a failed run. */
  recentOutput(): string[];
  stop(): Promise<void>;
}

export interface StartRelayOptions {
  kind: RelayKind;
  secret: string;
  /** Extra CLI flags for the durable relay (e.g. a raised retention). */
  extraArgs?: string[];
  readyTimeoutMs?: number;
  /** Node flags for the relay process itself (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Replaces `--store sqlite --data-dir <temp>` (a cluster node's `--store postgres ...`). */
  storeArgs?: string[];
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** `BENCH_DURABLE_CLI` runs another build of the CLI (e.g. a baseline) under the same load. */
export const durableCliPath = process.env.BENCH_DURABLE_CLI ?? join(packageDir, 'dist', 'cli.js');
const plainRelayPath = join(packageDir, 'bench', 'plainRelay.ts');
const READY_LINE = /listening on (https?:\/\/\S+)/;
const KEPT_OUTPUT_LINES = 30;
const READY_POLL_MS = 25;

// A run that is aborted (timeout, Ctrl-C, crash) must not leave relays listening behind it.
const liveChildren = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const [child, runDir] of liveChildren) {
    child.kill('SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  }
});

/**
 * Starts a relay as a child process on an ephemeral loopback port, so its RSS and CPU can
 * be read apart from the load generator's, and resolves once it prints its ready line.
 * Its output goes to a file, not a pipe: a generator too busy to drain a pipe would
 * otherwise make the relay buffer its log lines (and grow) or block on them.
 */
export async function startRelay(options: StartRelayOptions): Promise<RelayProcess> {
  const runDir = mkdtempSync(join(tmpdir(), `ks-bench-${options.kind}-`));
  const dataDir = join(runDir, 'data');
  const logPath = join(runDir, 'relay.log');
  const tlsDir = join(runDir, 'tls');
  const args =
    options.kind !== 'plain'
      ? [
          durableCliPath,
          'serve',
          '--port',
          '0',
          '--host',
          '127.0.0.1',
          ...(options.storeArgs ?? ['--store', 'sqlite', '--data-dir', dataDir]),
          ...(options.kind === 'durable-tls' ? ['--tls', 'auto', '--tls-dir', tlsDir] : []),
          ...(options.extraArgs ?? []),
        ]
      : [await compilePlainRelay(runDir), '--port', '0', '--host', '127.0.0.1'];
  const logFd = openSync(logPath, 'w');
  const node = options.kind === 'durable-node-sqlite' ? await pinnedNode() : process.execPath;
  const child = spawn(node, [...(options.nodeArgs ?? []), ...args], {
    cwd: packageDir,
    env: { ...process.env, KS_SECRET: options.secret, NODE_ENV: 'production' },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  liveChildren.set(child, runDir);
  child.once('exit', () => liveChildren.delete(child));
  const recentOutput = () => tail(logPath, KEPT_OUTPUT_LINES);
  const cleanUp = () => rmSync(runDir, { recursive: true, force: true });

  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      clearInterval(poll);
      clearTimeout(timer);
      const output = recentOutput().join('\n');
      void stopChild(child).finally(cleanUp);
      reject(new Error(`${options.kind} relay did not start: ${reason}\n${output}`));
    };
    const timer = setTimeout(() => fail('timed out'), options.readyTimeoutMs ?? 15_000);
    child.once('error', (error) => fail(error.message));
    const onEarlyExit = (code: number | null, signal: string | null) =>
      fail(`exited early (${code ?? signal})`);
    child.once('exit', onEarlyExit);
    const poll = setInterval(() => {
      const match = READY_LINE.exec(readFileSync(logPath, 'utf8'));
      if (!match?.[1]) return;
      clearInterval(poll);
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      const pid = child.pid!;
      resolve({
        kind: options.kind,
        url: match[1],
        ...(options.kind === 'durable-tls'
          ? { caPem: readFileSync(join(tlsDir, 'ca.crt'), 'utf8') }
          : {}),
        pid,
        rssBytes: () => readRssBytes(pid),
        cpuMs: () => readCpuMs(pid),
        recentOutput,
        stop: async () => {
          await stopChild(child);
          cleanUp();
        },
      });
    }, READY_POLL_MS);
  });
}

/** The Node binary of `pnpm build:exe` (fetched from the npm registry once, then cached). */
async function pinnedNode(): Promise<string> {
  const { ensureNodeBinary } = await import('../exe/nodeBinary.mjs');
  return ensureNodeBinary('linux-x64');
}

/** The last lines of a log that may have grown large. */
function tail(path: string, lines: number): string[] {
  const text = readFileSync(path, 'utf8');
  return text
    .slice(Math.max(0, text.length - 16_384))
    .split('\n')
    .filter(Boolean)
    .slice(-lines);
}

/** SIGTERM, then SIGKILL if the relay has not exited within 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The plain relay runs as plain JavaScript, like the durable relay's bundle: the tsx loader
 * alone adds ~30 MB of RSS to a process. Compiled into the run's temp dir, which gets a
 * node_modules link so its imports resolve as they do from bench/.
 */
async function compilePlainRelay(dir: string): Promise<string> {
  const { default: ts } = await import('typescript');
  const { outputText } = ts.transpileModule(readFileSync(plainRelayPath, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const file = join(dir, 'plainRelay.mjs');
  writeFileSync(file, outputText);
  symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return file;
}
