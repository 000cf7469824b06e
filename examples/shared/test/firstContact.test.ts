import { KitchenSyncError } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { type FirstContactWait, firstContactText, loadOnceReachable } from '../firstContact';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test('a tablet that never reached central asks again with backoff until it answers', async () => {
  const unreachable = new KitchenSyncError('network', 'outlet settings unreachable');
  const load = vi
    .fn<() => Promise<string>>()
    .mockRejectedValueOnce(unreachable)
    .mockRejectedValueOnce(unreachable)
    .mockRejectedValueOnce(new KitchenSyncError('timeout', 'outlet settings timed out'))
    .mockResolvedValue('settings');
  const waits: FirstContactWait[] = [];
  const loaded = loadOnceReachable(load, { onWaiting: (wait) => waits.push(wait) });

  await vi.advanceTimersByTimeAsync(0);
  expect(waits).toEqual([{ code: 'network', attempt: 1, retryInMs: 1_000 }]);
  await vi.advanceTimersByTimeAsync(999);
  expect(load).toHaveBeenCalledTimes(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(load).toHaveBeenCalledTimes(2);
  await vi.advanceTimersByTimeAsync(2_000 + 4_000);

  await expect(loaded).resolves.toBe('settings');
  expect(load).toHaveBeenCalledTimes(4);
  expect(waits.map((w) => [w.code, w.retryInMs])).toEqual([
    ['network', 1_000],
    ['network', 2_000],
    ['timeout', 4_000],
  ]);
});

test('the wait between attempts stops growing at the cap', async () => {
  const load = vi.fn<() => Promise<never>>().mockRejectedValue(new Error('down'));
  const waits: number[] = [];
  void loadOnceReachable(load, { onWaiting: (w) => waits.push(w.retryInMs), maxDelayMs: 30_000 });
  await vi.advanceTimersByTimeAsync(200_000);
  expect(waits.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
});

test('the status says the tablet has never reached central and needs it once, with the code', () => {
  const text = firstContactText({ code: 'network', attempt: 1, retryInMs: 2_000 });
  expect(text).toContain('never reached central (network)');
  expect(text).toContain('needs central once');
  expect(text).toContain('Trying again in 2 s');
  expect(firstContactText({ code: 'http', attempt: 1, retryInMs: 1_000 })).toContain(
    "not with this outlet's settings (http)",
  );
});
