import { beforeEach, describe, expect, it, vi } from 'vitest';
import { centralHandshake } from '../../../src/socket/centralHandshake.js';
import { FakeWebSocket, resetFakes, socketServices } from './fakes.js';

// A browser prints a failed socket's URL to the console, and a proxy logs it: central's token
// (valid for 30 days) must not be in it when central says it reads the subprotocol.
const services = socketServices({
  WebSocket: (url, protocols) => FakeWebSocket.factory(url, protocols),
  reconnect: { min: 1_000, max: 8_000, factor: 2, jitter: 0.5 },
});

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZHMtMSIsIm91dGxldCI6MX0.c2lnbmF0dXJlLV8';

/** What each socket was opened with: its URL and the subprotocols offered. */
const dialled = () => FakeWebSocket.instances.map((ws) => [ws.url, ws.protocols]);

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
});

describe("central's socket token", () => {
  it('goes as a subprotocol beside kitchen-sync when the URL says central reads it there', async () => {
    const s = services.make({
      centralWsUrl: `wss://central.test/ws/outlet/1/?tenant=3&token=${JWT}&token_in=subprotocol`,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(dialled()).toEqual([
      ['wss://central.test/ws/outlet/1/?tenant=3', ['kitchen-sync', `kitchen-sync.bearer.${JWT}`]],
    ]);
    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverSend({ type: 'caught_up', seq: 7 });
    expect(s.status.get().centralConnected).toBe(true);

    // The resume cursor stays in the URL; the token stays out of it at every reconnect.
    FakeWebSocket.latest().serverClose();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dialled()[1]).toEqual([
      'wss://central.test/ws/outlet/1/?tenant=3&since=7',
      ['kitchen-sync', `kitchen-sync.bearer.${JWT}`],
    ]);
  });

  it('a refreshed URL (4401) brings its new token in the subprotocol', async () => {
    let token = 'old.token.a';
    const s = services.make({
      centralWsUrl: () => `ws://central.test/ws/outlet/1/?token=${token}&token_in=subprotocol`,
      onCentralUnauthorized: () => {
        token = 'new.token.b';
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverClose(4401);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(dialled()).toEqual([
      ['ws://central.test/ws/outlet/1/', ['kitchen-sync', 'kitchen-sync.bearer.old.token.a']],
      ['ws://central.test/ws/outlet/1/', ['kitchen-sync', 'kitchen-sync.bearer.new.token.b']],
    ]);
  });

  // Central from before this release reads only ?token= and answers no subprotocol, which a
  // browser takes for a failed handshake: its settings view gives no marker, and the URL is
  // dialled as before, so a new screen keeps its orders from an old central.
  it('stays in the URL without the marker, and nothing is offered', async () => {
    const url = `ws://central.test/ws/outlet/1/?token=${JWT}`;
    services.make({ centralWsUrl: url }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(dialled()).toEqual([[url, undefined]]);
  });

  it.each([
    ['a character a header token may not hold', 'abc/def'],
    ['a space', 'abc def'],
    ['padding', 'abc='],
  ])('stays in the URL when it has %s (the browser would throw)', (_, token) => {
    const url = `ws://central.test/ws/outlet/1/?token=${encodeURIComponent(token)}&token_in=subprotocol`;
    expect(centralHandshake(url)).toEqual({ url });
  });

  it('an empty token, or another marker value, leaves the URL as it is', () => {
    for (const url of [
      'ws://central.test/ws/outlet/1/?token=&token_in=subprotocol',
      'ws://central.test/ws/outlet/1/?token_in=subprotocol',
      `ws://central.test/ws/outlet/1/?token=${JWT}&token_in=query`,
    ]) {
      expect(centralHandshake(url)).toEqual({ url });
    }
  });
});

describe('a WebSocket factory declared with the URL alone', () => {
  // It would drop the subprotocols, and the token with them: central would refuse every
  // attempt with 4401 and the screen would never get central's orders again.
  it('is given the URL with the token, as before', async () => {
    const url = `ws://central.test/ws/outlet/1/?token=${JWT}&token_in=subprotocol`;
    services.make({ centralWsUrl: url, WebSocket: (u) => FakeWebSocket.factory(u) }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(dialled()).toEqual([[url, undefined]]);
  });
});
