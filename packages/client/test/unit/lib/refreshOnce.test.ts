import { describe, expect, it } from 'vitest';
import { refreshesEnded, refreshOnce } from '../../../src/lib/refreshOnce.js';

/** A refresh the test ends by hand; `log` records every call and how many ran at once. */
function manualRefresh() {
  const ends: Array<{ resolve: (token: string) => void; reject: (error: Error) => void }> = [];
  const log = { calls: 0, running: 0, mostAtOnce: 0 };
  const refresh = () => {
    log.calls++;
    log.mostAtOnce = Math.max(log.mostAtOnce, ++log.running);
    return new Promise<string>((resolve, reject) => ends.push({ resolve, reject })).finally(
      () => log.running--,
    );
  };
  /** The next call, once it is made (within a few microtasks). */
  const next = async (): Promise<(typeof ends)[number]> => {
    for (let i = 0; i < 50 && ends.length === 0; i++) await Promise.resolve();
    const end = ends.shift();
    if (!end) throw new Error('refresh was not called');
    return end;
  };
  return { refresh, log, next };
}

describe('refreshOnce', () => {
  it('gives every refusal of the same token the one refresh in progress', async () => {
    const { refresh, log, next } = manualRefresh();
    const since = refreshesEnded(refresh);
    const waiting = Array.from({ length: 8 }, () => refreshOnce(refresh, 'old', since));
    (await next()).resolve('new');

    expect(await Promise.all(waiting)).toEqual(Array(8).fill('new'));
    expect(log.calls).toBe(1);
  });

  it('gives a refusal that comes after the refresh ended its outcome, if the attempt began before', async () => {
    const { refresh, log, next } = manualRefresh();
    const before = refreshesEnded(refresh);
    const first = refreshOnce(refresh, 'old', before);
    (await next()).reject(new Error('token service down'));
    await expect(first).rejects.toThrow('token service down');

    // Sent before the refresh failed: the same failure, no second call.
    await expect(refreshOnce(refresh, 'old', before)).rejects.toThrow('token service down');
    expect(log.calls).toBe(1);
    // Sent after it: the token is still refused, so it is worth asking again.
    const later = refreshOnce(refresh, 'old', refreshesEnded(refresh));
    (await next()).resolve('new');
    expect(await later).toBe('new');
    expect(log.calls).toBe(2);
  });

  it('does not reuse a refresh begun for an older token: it waits for it, then asks again', async () => {
    const { refresh, log, next } = manualRefresh();
    const since = refreshesEnded(refresh);
    const forOld = refreshOnce(refresh, 'old', since);
    const forNewer = refreshOnce(refresh, 'newer', since);
    const first = await next();
    await Promise.resolve();
    expect(log.calls).toBe(1);
    first.resolve('newer');
    expect(await forOld).toBe('newer');
    (await next()).resolve('newest');

    expect(await forNewer).toBe('newest');
    expect(log).toMatchObject({ calls: 2, mostAtOnce: 1 });
  });

  it('keeps the refreshes of different callbacks apart', async () => {
    const a = manualRefresh();
    const b = manualRefresh();
    const fromA = refreshOnce(a.refresh, 'old', undefined);
    const fromB = refreshOnce(b.refresh, 'old', undefined);
    (await a.next()).resolve('a');
    (await b.next()).resolve('b');

    expect([await fromA, await fromB]).toEqual(['a', 'b']);
  });
});
