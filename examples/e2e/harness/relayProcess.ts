import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RELAY_SCRIPT = fileURLToPath(new URL('../../relay/relay.mjs', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export interface RelayProcessOptions {
  dataDir: string;
  secret: string;
  /** 0 picks a free port the first time; restarts reuse the port it got. */
  port?: number;
}

/**
 * The reference relay script as a child process, so a test can SIGKILL it like a power cut
 * and start it again on the same port and data dir. tsx maps the workspace packages to their
 * sources, so the test never runs a stale build.
 */
export class RelayProcess {
  #options: RelayProcessOptions;
  #child: ChildProcess | null = null;
  #port: number;
  #log: string[] = [];

  constructor(options: RelayProcessOptions) {
    this.#options = options;
    this.#port = options.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  get log(): readonly string[] {
    return this.#log;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('relay already running');
    const child = spawn(process.execPath, ['--import', 'tsx', RELAY_SCRIPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: TSCONFIG,
        KS_HOST: '127.0.0.1',
        KS_PORT: String(this.#port),
        KS_DATA_DIR: this.#options.dataDir,
        KS_SECRET: this.#options.secret,
        KS_LOG_LEVEL: 'warn',
      },
    });
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    this.#port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`relay not ready in ${READY_TIMEOUT_MS} ms:\n${this.#log.join('\n')}`));
      }, READY_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        this.#log.push(text);
        const match = /https?:\/\/[^\s:]+:(\d+)/.exec(text);
        if (match?.[1]) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => this.#log.push(chunk.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`relay exited (${signal ?? code}):\n${this.#log.join('\n')}`));
      });
    });
  }

  /** `SIGKILL` is the power cut; `SIGTERM` the orderly stop. Resolves once the pid is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
    this.#child = null;
  }
}
