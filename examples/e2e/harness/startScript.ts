import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START_SCRIPT = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

/**
 * `node scripts/start.mjs …` as a user runs it (`pnpm start` is only that), with its output
 * kept. It runs in a process group of its own, so a failed test can still end the relay and
 * central it started.
 */
export class StartScript {
  readonly #child: ChildProcess;
  #output = '';
  readonly #exit: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>) {
    this.#child = spawn(process.execPath, [START_SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      detached: true,
    });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.#output += chunk;
      });
    }
    this.#exit = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  get output(): string {
    return this.#output;
  }

  /** The first match of `pattern` in the output, once it is printed. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.#output);
      if (match) return match;
      if (this.#child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`start.mjs never printed ${pattern}:\n${this.#output}`);
      }
      // More output, the exit, or the deadline: whichever comes first.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deadline - Date.now());
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#child.stdout?.once('data', done);
        void this.#exit.then(done);
      });
    }
  }

  /** Sends SIGTERM and resolves with the exit code; rejects if it is still running after. */
  async terminate(timeoutMs = 15_000): Promise<number | null> {
    this.#child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('start.mjs did not exit on SIGTERM')), timeoutMs);
    });
    try {
      return await Promise.race([this.#exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** After a failure: the script and everything it started, by its process group. */
  kill(): void {
    if (this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
