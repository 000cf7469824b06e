import { afterEach, describe, expect, it, vi } from 'vitest';
import { messageWorker } from '../../../src/sw-manager/messageWorker.js';

const timers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A worker that answers each message on the port it came with, as a service worker does. */
function worker(answer: (message: unknown) => unknown) {
  const received: unknown[] = [];
  return {
    received,
    postMessage(message: unknown, transfer: Transferable[]) {
      received.push(message);
      const reply = answer(message);
      if (reply !== undefined) (transfer[0] as MessagePort).postMessage(reply);
    },
  } as unknown as ServiceWorker & { received: unknown[] };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('messageWorker', () => {
  it("resolves with the worker's reply", async () => {
    const sw = worker(() => ({ replayed: 2, remaining: 0, rejected: 0 }));
    await expect(messageWorker(sw, { type: 'SYNC_NOW' }, 1_000, timers)).resolves.toEqual({
      replayed: 2,
      remaining: 0,
      rejected: 0,
    });
    expect(sw.received).toEqual([{ type: 'SYNC_NOW' }]);
  });

  it('rejects with the code the worker reported', async () => {
    const sw = worker(() => ({ error: { code: 'storage', message: 'quota' } }));
    await expect(messageWorker(sw, { type: 'QUEUE_STATUS' }, 1_000, timers)).rejects.toMatchObject({
      code: 'storage',
    });
  });

  it('rejects with timeout when the worker never answers', async () => {
    vi.useFakeTimers();
    const pending = messageWorker(
      worker(() => undefined),
      { type: 'SYNC_NOW' },
      5_000,
      timers,
    );
    const outcome = expect(pending).rejects.toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(5_000);
    await outcome;
  });
});
