import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { type Central, startCentral } from '../src/central';

// The demo central takes the socket token as Django's consumer does: offered as the
// subprotocol `kitchen-sync.bearer.<token>`, or in `?token=` from clients before that.
let central: Central | undefined;

afterEach(async () => {
  await central?.close();
  central = undefined;
});

async function start(socketTokenInSubprotocol?: boolean): Promise<Central> {
  central = await startCentral({
    port: 0,
    relaySecret: 'test-secret',
    socketSecret: 'test-socket-secret',
    relayPort: 3999,
    ...(socketTokenInSubprotocol === undefined ? {} : { socketTokenInSubprotocol }),
  });
  return central;
}

/** The kitchen of tenant 2's `websocket_url`, parsed. */
async function socketUrl(c: Central): Promise<URL> {
  const response = await fetch(`${c.url}/api/tenants/outlets/1/?tenant=2`);
  return new URL(((await response.json()) as { websocket_url: string }).websocket_url);
}

interface Opened {
  protocol: string;
  frames: unknown[];
  closed: Promise<number>;
}

/** Resolves once the socket opens; rejects with the handshake's error when it cannot. */
function open(url: string, protocols?: string[]): Promise<Opened> {
  const socket = new WebSocket(url, protocols);
  const frames: unknown[] = [];
  socket.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ protocol: socket.protocol, frames, closed }));
    socket.once('error', reject);
  });
}

/** What a client of this release dials: the URL without the token, the token offered. */
function split(url: URL): [string, string[]] {
  const token = url.searchParams.get('token') ?? '';
  url.searchParams.delete('token');
  url.searchParams.delete('token_in');
  return [url.toString(), ['kitchen-sync', `kitchen-sync.bearer.${token}`]];
}

describe("central's socket token as a subprotocol", () => {
  test('the settings mark the URL; the token offered opens the socket, accepted with kitchen-sync', async () => {
    const c = await start();
    const url = await socketUrl(c);
    expect(url.searchParams.get('token_in')).toBe('subprotocol');
    const opened = await open(...split(url));
    expect(opened.protocol).toBe('kitchen-sync');
    await expect.poll(() => opened.frames).toEqual([{ type: 'caught_up', seq: 0 }]);
  });

  test('a forged token offered is accepted with kitchen-sync, then closed 4401', async () => {
    const c = await start();
    const [url] = split(await socketUrl(c));
    const opened = await open(url, ['kitchen-sync', 'kitchen-sync.bearer.forged']);
    expect(opened.protocol).toBe('kitchen-sync');
    expect(await opened.closed).toBe(4401);
  });

  test('a client from before it (the URL as it is) still opens it, with no subprotocol', async () => {
    const c = await start();
    const opened = await open((await socketUrl(c)).toString());
    expect(opened.protocol).toBe('');
    await expect.poll(() => opened.frames).toEqual([{ type: 'caught_up', seq: 0 }]);
  });
});

describe('a central from before it (socketTokenInSubprotocol: false)', () => {
  test('hands out no marker, so a new client dials its URL with the token, which opens', async () => {
    const c = await start(false);
    const url = await socketUrl(c);
    expect(url.searchParams.get('token_in')).toBeNull();
    const opened = await open(url.toString());
    await expect.poll(() => opened.frames).toEqual([{ type: 'caught_up', seq: 0 }]);
  });

  test('answers no subprotocol, which a client that offered one refuses (why the marker)', async () => {
    const c = await start(false);
    await expect(open(...split(await socketUrl(c)))).rejects.toThrow(/no subprotocol/);
  });
});
