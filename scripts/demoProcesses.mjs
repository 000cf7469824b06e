// The child processes of a demo (`pnpm start`, `pnpm start:django`): their output prefixed by
// name, one unexpected exit stopping the whole demo, and a stop that waits for every child.
import { spawn, spawnSync } from 'node:child_process';

/** `root` is the cwd of `run`; `env` is what every child inherits under its own. */
export function demoProcesses({ root, env }) {
  const children = new Map();
  /** Vite preview servers and the like: closed by `stop` with the children. */
  const servers = [];
  /** Children killed on purpose from the keyboard: their exit must not stop the demo. */
  const expectedExits = new Set();
  let stopping = false;

  /** Runs a build step to its end; the demo exits with it when it fails. */
  function run(command, args, options = {}) {
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
    if (result.status !== 0) {
      console.error(`\n${command} ${args.join(' ')} failed`);
      process.exit(result.status ?? 1);
    }
    return result;
  }

  function start(name, command, args, options = {}) {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
      env: { ...env, ...options.env },
    });
    children.set(name, child);
    const prefix = (line) => `[${name}] ${line}`;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        for (const line of chunk.split('\n').filter(Boolean)) console.log(prefix(line));
      });
    }
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (expectedExits.delete(name)) {
        console.log(prefix(`stopped (${signal ?? code})`));
        return;
      }
      if (!stopping) {
        console.error(prefix(`exited (${signal ?? code}); stopping the demo`));
        void stop(1);
      }
    });
    return child;
  }

  /** Kills a running child on purpose (a key press); its exit does not stop the demo. */
  function kill(name, signal = 'SIGKILL') {
    const child = children.get(name);
    if (!child) return false;
    expectedExits.add(name);
    child.kill(signal);
    return true;
  }

  async function stop(code = 0) {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    const exits = [...children.values()].map(
      (child) =>
        new Promise((resolve) => {
          const force = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    );
    await Promise.all([...exits, ...servers.map((server) => server.close())]);
    process.exit(code);
  }

  return { children, servers, run, start, kill, stop };
}

/** Resolves once `url` answers 2xx over plain http. */
export async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
