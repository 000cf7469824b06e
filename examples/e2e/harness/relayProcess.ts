import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RELAY_SCRIPT = fileURLToPath(new URL('../../relay/relay.mjs', import.meta.url));
const RELAY_CLI = fileURLToPath(new URL('../../../packages/relay/src/cli.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
const SHIFTED_CLOCK = fileURLToPath(new URL('./shiftedClock.mjs', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export interface RelayProcessOptions {
  dataDir: string;
  secret: string;
  /** 0 picks a free port the first time; restarts reuse the port it got. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /**
   * Run the `kitchen-sync-relay serve` CLI with these extra flags (e.g. `--tls-cert F`)
   * instead of the reference script.
   */
  cliArgs?: string[];
  /** A file holding how many ms the relay's clock is off (shiftedClock.mjs). */
  clockShiftFile?: string;
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
  #scheme = 'http';
  #log: string[] = [];

  constructor(options: RelayProcessOptions) {
    this.#options = options;
    this.#port = options.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `${this.#scheme}://${this.#options.host ?? '127.0.0.1'}:${this.#port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  get log(): readonly string[] {
    return this.#log;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('relay already running');
    const host = this.#options.host ?? '127.0.0.1';
    const { cliArgs } = this.#options;
    const command = cliArgs
      ? [RELAY_CLI, 'serve', '--host', host, '--port', String(this.#port), ...cliArgs]
      : [RELAY_SCRIPT];
    const child = spawn(
      process.execPath,
      ['--import', SHIFTED_CLOCK, '--import', 'tsx', ...command],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          TSX_TSCONFIG_PATH: TSCONFIG,
          KS_HOST: host,
          KS_PORT: String(this.#port),
          KS_DATA_DIR: this.#options.dataDir,
          KS_SECRET: this.#options.secret,
          KS_LOG_LEVEL: 'warn',
          ...(this.#options.clockShiftFile
            ? { KS_E2E_CLOCK_SHIFT_FILE: this.#options.clockShiftFile }
            : {}),
        },
      },
    );
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
        const match = /(https?):\/\/[^\s:]+:(\d+)/.exec(text);
        if (match?.[1] && match[2]) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          this.#scheme = match[1];
          resolve(Number(match[2]));
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

  /** Sends a signal and returns at once (e.g. `SIGHUP`: reload the certificate). */
  signal(signal: NodeJS.Signals): void {
    if (!this.#child) throw new Error('relay not running');
    this.#child.kill(signal);
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
