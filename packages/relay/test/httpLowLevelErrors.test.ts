import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { order, startRelay, type TestRelay, tokenFor } from './helpers.js';

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

interface RawAnswer {
  status: number;
  /** The status line and headers. */
  head: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect JSON answers field by field
  body: any;
  /** Request bytes written before the answer came. */
  sent: number;
}

/**
 * Writes `head` and then `body` on a raw TCP connection, `dribbleMs` apart per byte when set,
 * and resolves with the relay's answer once it closes the connection.
 */
function rawRequest(port: number, head: string, body = '', dribbleMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d) => {
      received += d;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearInterval(timer);
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (!match) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(received.slice(0, 200))}`));
        return;
      }
      const json = received.slice(received.indexOf('\r\n\r\n') + 4);
      const head = received.slice(0, received.indexOf('\r\n\r\n'));
      resolve({ status: Number(match[1]), head, body: JSON.parse(json), sent });
    });
    socket.write(head);
    if (dribbleMs === 0) {
      socket.write(body);
      sent = body.length;
      return;
    }
    timer = setInterval(() => {
      if (sent >= body.length || socket.destroyed) {
        clearInterval(timer);
        return;
      }
      socket.write(body[sent]!);
      sent += 1;
    }, dribbleMs);
  });
}

const post = (headers: string) =>
  `POST /api/events HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n${headers}\r\n`;

describe('low-level HTTP errors answer { error: { code, message } }', () => {
  it.each([
    ['bad chunking', post('Transfer-Encoding: chunked\r\n'), 'zz\r\n{}\r\n0\r\n\r\n'],
    [
      'Content-Length with Transfer-Encoding',
      post('Content-Length: 2\r\nTransfer-Encoding: chunked\r\n'),
      '2\r\n{}\r\n0\r\n\r\n',
    ],
    ['two Content-Lengths', post('Content-Length: 2\r\nContent-Length: 3\r\n'), '{}'],
    ['a header line without a colon', post('this is not a header\r\n'), ''],
  ])('%s → 400 invalid_payload', async (_name, head, body) => {
    relay = await startRelay();
    const answer = await rawRequest(relay.port, head, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: 'invalid_payload', message: expect.any(String) },
    });
  });

  it('a 200 KB header → 431 too_large', async () => {
    relay = await startRelay();
    const answer = await rawRequest(
      relay.port,
      `GET /health HTTP/1.1\r\nHost: relay\r\nX-Padding: ${'a'.repeat(200 * 1024)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(answer.body.error.code).toBe('too_large');
    // A page may read it: its poll then says too_large, not that the relay is unreachable.
    expect(answer.head).toMatch(/^Access-Control-Allow-Origin: \*$/im);
  });

  it('a malformed URL → 400 invalid_payload', async () => {
    relay = await startRelay();
    const answer = await rawRequest(
      relay.port,
      'GET /api/%E0%A4%A HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_payload');
  });
});

describe('a body that arrives too slowly', () => {
  it('is cut off with 408 request_timeout before it is complete', async () => {
    relay = await startRelay({ bodyTimeoutMs: 300 });
    const body = JSON.stringify({ type: 'order:publish', payload: order() });
    const token = await tokenFor('pos');
    const head = post(`Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\n`);
    const answer = await rawRequest(relay.port, head, body, 20);
    expect(answer.status).toBe(408);
    expect(answer.body.error.code).toBe('request_timeout');
    expect(answer.sent).toBeLessThan(body.length);
    expect(relay.relay.store.countEvents()).toBe(0);
  });

  it('a body that arrives in time is served', async () => {
    relay = await startRelay({ bodyTimeoutMs: 2_000 });
    const body = JSON.stringify({ type: 'order:publish', payload: order() });
    const token = await tokenFor('pos');
    const head = post(
      `Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n`,
    );
    const answer = await rawRequest(relay.port, head, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, seq: 1 });
  });

  // fastify answers 413 before reading the body; the cut-off timer used to stay armed and,
  // with nobody reading the body any more, throw an uncaught error when it fired.
  it('a body refused for its size leaves no timer behind to fail later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      relay = await startRelay({ bodyTimeoutMs: 1_000, maxMessageBytes: 1_000 });
      const token = await tokenFor('pos');
      const body = 'x'.repeat(20_000);
      const head = post(
        `Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n`,
      );
      const answer = await rawRequest(relay.port, head, body);
      expect(answer.status).toBe(413);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      vi.useRealTimers();
    }
  });
});
