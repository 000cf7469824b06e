import type { EventsResponse } from '@kitchen-sync/protocol';
import { HttpResponse, http } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { pollErrorDelay } from '../../../src/socket/pollingTransport.js';
import { mswServer } from '../fakes/mswServer.js';
import { FakeRelaySocket, orderEvent, socketServices } from './fakes.js';

const RELAY = 'http://relay.test:3001';
const server = mswServer();

interface Seen {
  at: number;
  query: Record<string, string>;
  auth: string | null;
}
let requests: Seen[] = [];

function relay(answer: (seen: Seen, request: Request) => Response | Promise<Response>): void {
  server.use(
    http.get(`${RELAY}/api/events`, ({ request }) => {
      const seen = {
        at: Date.now(),
        query: Object.fromEntries(new URL(request.url).searchParams),
        auth: request.headers.get('authorization'),
      };
      requests.push(seen);
      return answer(seen, request);
    }),
  );
}

const page = (body: Partial<EventsResponse>): Response =>
  HttpResponse.json({ events: [], last_seq: 0, epoch: 'ep1', ...body });

function fakeDocument(initial: 'visible' | 'hidden') {
  const target = new EventTarget();
  const doc = {
    visibilityState: initial as DocumentVisibilityState,
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
    show() {
      doc.visibilityState = 'visible';
      target.dispatchEvent(new Event('visibilitychange'));
    },
    hide() {
      doc.visibilityState = 'hidden';
      target.dispatchEvent(new Event('visibilitychange'));
    },
  };
  return doc;
}

const services = socketServices({
  relayUrl: RELAY,
  token: 'tok',
  fetch: (input, init) => globalThis.fetch(input, init),
});
const make = services.make;

beforeEach(() => {
  vi.useFakeTimers({
    now: 0,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  requests = [];
});
describe('polling', () => {
  it('falls back to an adaptive 1–10 s interval when the relay answers a long poll at once', async () => {
    let next: ReturnType<typeof orderEvent>[] = [];
    relay(() => {
      const events = next;
      next = [];
      return page({ events, last_seq: events.at(-1)?.seq ?? 0 });
    });
    const s = make();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(1);
    // A probe that does not wait, then the first long poll; answered at once, it is tried once
    // more (a relay shutting down answers its waiting polls at once too), then given up.
    expect(requests[0]?.query).toEqual({ outlet_id: '1', since: '0', limit: '500' });
    expect(requests[1]?.query).toMatchObject({ outlet_id: '1', since: '0', wait: '25000' });
    expect(requests[1]?.auth).toBe('Bearer tok');
    expect(requests[2]?.query.wait).toBe('25000');
    await vi.advanceTimersByTimeAsync(2_000 + 4_000 + 8_000 + 10_000);
    next = [orderEvent({ seq: 1 })];
    await vi.advanceTimersByTimeAsync(10_000 + 1_000 + 2_000 + 100);
    expect(requests.map((r) => r.at)).toEqual([
      0, 0, 1, 2_001, 6_001, 14_001, 24_001, 34_001, 35_001, 37_001,
    ]);
    expect(requests.slice(3).every((r) => r.query.wait === undefined)).toBe(true);
  });

  it('keeps long-polling after one long poll answered at once (a relay shutting down wakes them)', async () => {
    let calls = 0;
    relay(() => {
      calls++;
      // The probe, then a long poll the shutting-down relay answers at once; the next is held.
      return calls <= 2 ? page({}) : new Promise<Response>(() => undefined);
    });
    const s = make();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(requests.map((r) => r.query.wait)).toEqual([undefined, '25000', '25000']);
    s.stopPolling();
  });

  it('asks for a long poll again after a failure (a restarted relay may support it)', async () => {
    relay(() => (requests.length === 4 ? new HttpResponse(null, { status: 503 }) : page({})));
    const s = make();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(2_000 + 5_000 + 100);
    // Probe, two long polls answered at once (no long-poll support), plain poll refused,
    // probe, long polls again (answered at once twice, as this relay still does).
    expect(requests.map((r) => r.query.wait)).toEqual([
      undefined,
      '25000',
      '25000',
      undefined,
      undefined,
      '25000',
      '25000',
    ]);
    expect(requests.map((r) => r.at).slice(0, 5)).toEqual([0, 0, 1, 2_001, 7_001]);
    expect(s.status.get().isPolling).toBe(true);
  });

  it('long-polls when the relay holds the request, and asks again at once after an answer', async () => {
    const held: Array<() => void> = [];
    relay((seen) =>
      requests.length === 1
        ? page({})
        : new Promise<Response>((resolve) => {
            held.push(() =>
              resolve(
                page({ events: [orderEvent({ seq: Number(seen.query.since) + 1 })], last_seq: 1 }),
              ),
            );
          }),
    );
    const s = make();
    const seqs: Array<number | null> = [];
    s.on('event', (e, source) => {
      expect(source).toBe('poll');
      seqs.push(e.seq);
    });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(20_000);
    // The probe was answered at once; the long poll after it is held.
    expect(requests).toHaveLength(2);
    expect(requests[1]?.query.wait).toBe('25000');
    held[0]?.();
    await vi.advanceTimersByTimeAsync(100);
    expect(requests).toHaveLength(3);
    expect(requests[2]?.query).toMatchObject({ since: '1', epoch: 'ep1', wait: '25000' });
    expect(requests[2]?.at).toBe(20_000);
    expect(seqs).toEqual([1]);
    expect(s.status.get()).toMatchObject({ mode: 'polling', isPolling: true, error: null });
  });

  it('gives up on a request after its wait + 5 s and backs off 5, 10, 15 … s up to 30 s on errors', async () => {
    relay(() =>
      requests.length === 1
        ? new Promise<Response>(() => {})
        : HttpResponse.json({ error: { code: 'internal', message: 'x' } }, { status: 500 }),
    );
    const s = make();
    s.startPolling();
    // The first poll of a session is a probe without `wait`: it gives up after 5 s.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.status.get().error?.code).toBe('timeout');
    await vi.advanceTimersByTimeAsync(
      5_000 + 10_000 + 15_000 + 20_000 + 25_000 + 30_000 + 30_000 + 100,
    );
    expect(requests.map((r) => r.at)).toEqual([
      0, 10_000, 20_000, 35_000, 55_000, 80_000, 110_000, 140_000,
    ]);
    expect(s.status.get().error?.code).toBe('internal');
    expect([1, 2, 3, 6, 7, 100].map(pollErrorDelay)).toEqual([
      5_000, 10_000, 15_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('pauses while the page is hidden and resumes when it is shown', async () => {
    relay(() => page({}));
    const doc = fakeDocument('hidden');
    const s = make({ document: doc, polling: { longPollMs: 0 } });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(0);
    doc.show();
    await vi.advanceTimersByTimeAsync(100);
    expect(requests).toHaveLength(1);
    doc.hide();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(1);
    expect(s.status.get().isPolling).toBe(true);
  });

  it('applies a snapshot from the answer and resumes from its cursor', async () => {
    relay((seen) =>
      seen.query.epoch
        ? new Promise<Response>(() => {})
        : page({ snapshot: { orders: [], seq: 12, epoch: 'ep2' }, last_seq: 12, epoch: 'ep2' }),
    );
    const s = make();
    const log: string[] = [];
    s.on('sync:snapshot', (snap) => log.push(`snapshot ${snap.seq}`));
    s.on('sync:caught_up', (c) => log.push(`caught_up ${c.seq} ${c.epoch}`));
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['snapshot 12', 'caught_up 12 ep2']);
    expect(requests[1]?.query).toMatchObject({ since: '12', epoch: 'ep2' });
    expect(s.cursor.get()).toEqual({ since: 12, epoch: 'ep2' });
  });

  it('reads a CursorSource when a session starts and after a failure, not on every poll', async () => {
    let persisted = { since: 3, epoch: 'ep1' };
    relay((seen) => {
      if (requests.length === 2) return new HttpResponse(null, { status: 503 });
      if (requests.length >= 4) return new Promise<Response>(() => {});
      const since = Number(seen.query.since);
      return page({ events: [orderEvent({ seq: since + 1 })], last_seq: since + 1 });
    });
    const s = make({ cursor: { get: () => persisted } });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    // The feed has not stored seq 4 yet when the failure comes; the retry resumes from it.
    persisted = { since: 3, epoch: 'ep1' };
    await vi.advanceTimersByTimeAsync(5_100);
    expect(requests.map((r) => r.query.since)).toEqual(['3', '4', '3', '4']);
  });

  it('a cursor source that throws is reported and retried with the error backoff, never stuck', async () => {
    relay(() => new Promise<Response>(() => {}));
    let reads = 0;
    const s = make({
      cursor: {
        get: () => {
          reads++;
          if (reads === 2) throw new Error('storage gone');
          return { since: 3, epoch: 'ep1' };
        },
      },
    });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toEqual([]);
    expect(s.status.get().error?.code).toBe('storage');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(requests.map((r) => r.query.since)).toEqual(['3']);
  });

  it('moves the cursor only as far as the events of a full page went', async () => {
    relay((seen) =>
      seen.query.since === '0'
        ? page({ events: [orderEvent({ seq: 1 }), orderEvent({ seq: 2 })], last_seq: 50 })
        : new Promise<Response>(() => {}),
    );
    const s = make({ polling: { limit: 2 } });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(requests[1]?.query).toMatchObject({ since: '2', epoch: 'ep1' });
    expect(s.cursor.get()).toMatchObject({ since: 2, epoch: 'ep1' });
  });

  it('sends the event_id applied at since (since_event), kept through an empty answer at that head', async () => {
    const second = orderEvent({ seq: 2 });
    relay((seen) =>
      seen.query.since === '0'
        ? page({ events: [orderEvent({ seq: 1 }), second], last_seq: 2 })
        : requests.length === 2
          ? page({ last_seq: 2 })
          : new Promise<Response>(() => {}),
    );
    const s = make();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(requests.map((r) => r.query.since_event)).toEqual([
      undefined,
      second.event_id,
      second.event_id,
    ]);
    expect(requests[2]?.query).toMatchObject({ since: '2', epoch: 'ep1' });
    expect(s.cursor.get()).toEqual({ since: 2, epoch: 'ep1', since_event: second.event_id });
  });

  it("keeps the answer's last_event_id as since_event when the cursor lands on last_seq (an event not sent here)", async () => {
    const fifth = orderEvent({ seq: 5 });
    relay((seen) =>
      seen.query.since === '0'
        ? page({ events: [orderEvent({ seq: 1 })], last_seq: 3, last_event_id: 'id-at-3' })
        : requests.length === 2
          ? page({ events: [orderEvent({ seq: 4 }), fifth], last_seq: 9, last_event_id: 'id-at-9' })
          : new Promise<Response>(() => {}),
    );
    const s = make({ polling: { limit: 2 } });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(requests[1]?.query).toMatchObject({ since: '3', since_event: 'id-at-3' });
    // A full page: the cursor stops at its last event, whose own id it keeps.
    expect(requests[2]?.query).toMatchObject({ since: '5', since_event: fifth.event_id });
    expect(s.cursor.get()).toEqual({ since: 5, epoch: 'ep1', since_event: fifth.event_id });
  });

  it('polls a cursor stored by an older release (no since_event) as before', async () => {
    relay(() => new Promise<Response>(() => {}));
    const s = make({ cursor: { get: () => ({ since: 3, epoch: 'ep1' }) } });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests[0]?.query).toEqual({ outlet_id: '1', since: '3', epoch: 'ep1', limit: '500' });
  });

  it('reports a refused token as unauthorized and asks the app to refresh it', async () => {
    relay(() =>
      HttpResponse.json({ error: { code: 'unauthorized', message: 'x' } }, { status: 401 }),
    );
    let refreshes = 0;
    const s = make({ onUnauthorized: () => void refreshes++ });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(s.status.get().error?.code).toBe('unauthorized');
    expect(refreshes).toBe(1);
  });

  it('asks the app once when its socket and its poll are refused the same token together', async () => {
    relay(() =>
      HttpResponse.json({ error: { code: 'unauthorized', message: 'x' } }, { status: 401 }),
    );
    let refreshes = 0;
    const s = make({
      centralUrl: undefined,
      io: FakeRelaySocket.factory,
      onUnauthorized: () => void refreshes++,
    });
    s.start();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(refreshes).toBe(1);
    // Refused the token it was sent with before that refresh ended: no second refresh.
    FakeRelaySocket.latest().refuse('unauthorized');
    await vi.advanceTimersByTimeAsync(0);
    expect(refreshes).toBe(1);
    expect(s.status.get().error?.code).toBe('unauthorized');
    s.stop();
  });

  it("keeps the poll's refusal in the status while the blocked socket keeps failing", async () => {
    relay(() =>
      HttpResponse.json({ error: { code: 'unauthorized', message: 'x' } }, { status: 401 }),
    );
    const s = make({ centralUrl: undefined, io: FakeRelaySocket.factory });
    s.start();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(s.status.get().error?.code).toBe('unauthorized');
    // A proxy that blocks WebSockets: the socket cannot reach the relay its polls reach.
    FakeRelaySocket.latest().refuse('websocket error');
    expect(s.status.get().error?.code).toBe('unauthorized');
    expect(s.status.get().reason).toMatch(/token/);
    s.stop();
  });

  it('reports a token function that throws as unauthorized, not as a relay that is down', async () => {
    relay(() => page({}));
    let refreshes = 0;
    const s = make({
      token: () => Promise.reject(new Error('session expired')),
      onUnauthorized: () => void refreshes++,
    });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    // The relay was never asked, so nothing says it is unreachable.
    expect(requests).toEqual([]);
    expect(s.status.get()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(s.status.get().reason).toMatch(/token/);
    expect(refreshes).toBe(1);
  });

  it('reports a body without events as malformed_response', async () => {
    relay(() => HttpResponse.json({ nope: true }));
    const s = make();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(100);
    expect(s.status.get().error?.code).toBe('malformed_response');
  });
});
