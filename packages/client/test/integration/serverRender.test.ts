import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLIENT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./fixtures/servicesOnServer.ts', import.meta.url));
// Node with tsx starts in about a second; a process something holds open never ends.
const BOUND_MS = 15_000;

/** Runs the script in a Node of its own: resolves how it ended, killed if past the bound. */
function runAlone(): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', SCRIPT],
      { cwd: CLIENT, timeout: BOUND_MS },
      (error, stdout) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          killed: error?.killed ?? false,
          stdout,
        });
      },
    );
  });
}

// A server render (SvelteKit, Next) creates a page's services per request and never stops
// them: without IndexedDB they must hold nothing (no BroadcastChannel, no timer), or every
// request leaks a set of them and a Node script never exits.
describe('an outbox and a feed created where there is no IndexedDB', () => {
  it(
    'fail with `storage` and leave nothing that keeps Node running',
    async () => {
      const { code, killed, stdout } = await runAlone();
      expect({ code, killed }).toEqual({ code: 0, killed: false });
      expect(JSON.parse(stdout.trim())).toEqual({ outbox: 'storage', feed: 'storage' });
    },
    BOUND_MS + 5_000,
  );
});
