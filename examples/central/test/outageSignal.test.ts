import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** Central run by hand, as getting-started says: `kill -USR2 <pid>` toggles the outage. */
test('central run alone survives an outage toggled by SIGUSR2 and comes back', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, CENTRAL_PORT: '0', CENTRAL_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => (await lines.next()).value as string;
  const exited = once(child, 'exit').then(() => 'exited');

  const listening = await nextLine();
  const url = /listening on (\S+)/.exec(listening)?.[1];
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  child.kill('SIGUSR2');
  expect(await nextLine()).toContain('internet outage');
  await expect(fetch(`${url}/health`)).rejects.toThrow();

  child.kill('SIGUSR2');
  expect(await Promise.race([nextLine(), exited])).toContain('back online');
  expect(child.exitCode).toBeNull();
  expect((await fetch(`${url}/health`)).status).toBe(200);
});
