import { type ChildProcess, spawn } from 'node:child_process';

/** A child process whose output is kept for failure messages, stopped by its pid only. */
export class Child {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  #output = '';
  #running = true;

  constructor(command: string, args: string[], env: Record<string, string>, cwd?: string) {
    this.child = spawn(command, args, {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d) => this.#keep(d));
    this.child.stderr?.on('data', (d) => this.#keep(d));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.#running = false;
        resolve(code ?? signal ?? -1);
      }),
    );
  }

  get running(): boolean {
    return this.#running;
  }

  get output(): string {
    return this.#output;
  }

  #keep(chunk: Buffer): void {
    this.#output = (this.#output + chunk.toString()).slice(-20_000);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.#running) return;
    this.child.kill(signal);
    await this.exited;
  }
}
