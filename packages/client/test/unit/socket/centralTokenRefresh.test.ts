import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, resetFakes, socketServices } from './fakes.js';

// Central refuses an expired socket token, or one signed before SOCKET_TOKEN_SECRET changed,
// with 4401. A kitchen screen nobody touches must get a new URL by itself, not wait for a reload.
const services = socketServices({
  WebSocket: (url) => FakeWebSocket.factory(url),
  reconnect: { min: 1_000, max: 8_000, factor: 2, jitter: 0.5 },
});

/** Central's socket URL with `token`, as the outlet settings hand it out. */
const urlWith = (token: string) => `ws://central.test/ws/outlet/1/?token=${token}`;

/** The token and cursor in each socket's URL, in the order they were opened. */
function dialled(): Array<[string | null, string | null]> {
  return FakeWebSocket.instances.map((ws) => {
    const query = new URL(ws.url).searchParams;
    return [query.get('token'), query.get('since')];
  });
}

/** Times (ms after start) at which each socket was opened. */
let openedAt: number[] = [];

/** Central accepts the latest socket, then refuses it with `code`. */
function refuseLatest(code = 4401): void {
  const ws = FakeWebSocket.latest();
  ws.serverOpen();
  ws.serverClose(code);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
  openedAt = [];
  const original = FakeWebSocket.factory;
  vi.spyOn(FakeWebSocket, 'factory').mockImplementation((url) => {
    openedAt.push(Date.now());
    return original(url);
  });
});

describe('central refuses the socket token (4401)', () => {
  it('refreshes it once, dials the new URL at the next attempt, and clears the error when it opens', async () => {
    let token = 'old';
    const refreshed: number[] = [];
    const s = services.make({
      centralWsUrl: () => urlWith(token),
      onCentralUnauthorized: async () => {
        refreshed.push(Date.now());
        token = 'new';
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverSend({ type: 'caught_up', seq: 7 });
    // The token expired on the open socket: central closes it.
    FakeWebSocket.latest().serverClose(4401);
    expect(s.status.get()).toMatchObject({
      centralConnected: false,
      error: { code: 'unauthorized' },
    });

    await vi.advanceTimersByTimeAsync(2_000);
    expect(refreshed).toEqual([0]);
    // The URL is asked again at the reconnect; the resume cursor goes on it as before.
    expect(dialled()).toEqual([
      ['old', null],
      ['new', '7'],
    ]);
    expect(s.status.get().error?.code).toBe('unauthorized');
    FakeWebSocket.latest().serverOpen();
    expect(s.status.get()).toMatchObject({ centralConnected: true, error: null, reason: null });
  });

  it('a refreshed URL refused as well is reported and retried on the backoff, one refresh per refusal', async () => {
    let n = 0;
    const s = services.make({
      centralWsUrl: async () => urlWith(`t${n}`),
      onCentralUnauthorized: () => {
        n++;
      },
    });
    s.start();
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(0);
      refuseLatest();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    // Refused at 0, 10, 20 and 30 s: the backoff goes on (2 s, then the 8 s cap), as for a
    // screen that cannot refresh; never the 1 s an accepted socket would reset it to.
    expect(openedAt).toEqual([0, 2_000, 18_000, 28_000, 38_000]);
    expect(n).toBe(4);
    expect(dialled().map(([token]) => token)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(s.status.get().error?.code).toBe('unauthorized');
    expect(s.status.get().reason).toMatch(/^Central refused this screen’s token/);
  });

  it('attempts that meet the refused URL while its refresh runs share that refresh', async () => {
    let token = 'old';
    let finish = (): void => {};
    let refreshes = 0;
    const s = services.make({
      centralWsUrl: () => urlWith(token),
      onCentralUnauthorized: () => {
        refreshes++;
        return new Promise<void>((resolve) => {
          finish = () => {
            token = 'new';
            resolve();
          };
        });
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    refuseLatest();
    await vi.advanceTimersByTimeAsync(0);
    // Something asks for central again (the page, a new cursor) before the refresh is back.
    s.connectCentral();
    await vi.advanceTimersByTimeAsync(0);
    refuseLatest();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(refreshes).toBe(1);
    expect(FakeWebSocket.instances).toHaveLength(2);

    finish();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refreshes).toBe(1);
    expect(dialled().map(([t]) => t)).toEqual(['old', 'old', 'new']);
  });

  it('a refresh that fails leaves today’s error and retries the same URL on the backoff', async () => {
    const s = services.make({
      centralWsUrl: () => urlWith('old'),
      onCentralUnauthorized: () => Promise.reject(new Error('settings unreachable')),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    refuseLatest();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error?.code).toBe('unauthorized');
    expect(s.status.get().reason).toBe('Central refused this screen’s token: reload the page.');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(openedAt).toEqual([0, 2_000]);
    expect(dialled().map(([t]) => t)).toEqual(['old', 'old']);
  });

  it('4403 and 4503 are not the token: nothing is refreshed', async () => {
    let refreshes = 0;
    const s = services.make({
      centralWsUrl: () => urlWith('t'),
      onCentralUnauthorized: () => {
        refreshes++;
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    refuseLatest(4403);
    await vi.advanceTimersByTimeAsync(2_000);
    refuseLatest(4503);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(refreshes).toBe(0);
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(s.status.get().error?.code).toBe('unavailable');
  });

  it('stopped while the refresh runs: nothing dials again', async () => {
    let finish = (): void => {};
    const s = services.make({
      centralWsUrl: () => urlWith('old'),
      onCentralUnauthorized: () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    refuseLatest();
    s.stop();
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('one attempt at a time while the URL function answers: a second connect opens no second socket', async () => {
    const asked: Array<(url: string) => void> = [];
    const s = services.make({
      centralWsUrl: () => new Promise<string>((resolve) => asked.push(resolve)),
    });
    s.start();
    s.connectCentral();
    await vi.advanceTimersByTimeAsync(0);
    for (const answer of asked) answer(urlWith('t'));
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toHaveLength(1);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('a URL function that throws is reported and asked again on the backoff', async () => {
    let broken = true;
    const s = services.make({
      centralWsUrl: () => {
        if (broken) throw new Error('no settings yet');
        return urlWith('t');
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error?.code).toBe('network');
    expect(FakeWebSocket.instances).toHaveLength(0);
    broken = false;
    await vi.advanceTimersByTimeAsync(1_000);
    FakeWebSocket.latest().serverOpen();
    expect(s.status.get()).toMatchObject({ centralConnected: true, error: null });
  });
});
