import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, connect as netConnect, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerPlainHttpOnTlsPort } from '../src/transport/plainHttpOnTlsPort.js';
import { removeTempDirs, startRelay, type TestRelay } from './helpers.js';
import { httpsGet, testCa } from './tlsHelpers.js';

const relays: TestRelay[] = [];
const proxies: Server[] = [];
afterEach(async () => {
  for (const proxy of proxies.splice(0)) proxy.close();
  for (const relay of relays.splice(0)) await relay.close();
  removeTempDirs();
});

async function tlsRelay() {
  const ca = await testCa();
  const pair = await ca.issue();
  const relay = await startRelay({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
  relays.push(relay);
  return { relay, caPem: ca.caPem, port: Number(new URL(relay.url).port) };
}

/** Sends `request` as it is over plain TCP and resolves with everything the relay answers. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
}

function headerOf(answer: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, 'im').exec(answer)?.[1]?.trim();
}

function bodyOf(answer: string): { error: { code: string; message: string } } {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

describe('a TLS relay asked over plain http://', () => {
  it('sends a page request on to the same address over https, without letting it be cached', async () => {
    const { port } = await tlsRelay();
    // A browser's navigation: with Sec-Fetch-Mode, and over http, where browsers leave it out.
    for (const [method, mode] of [
      ['GET', 'Sec-Fetch-Mode: navigate\r\n'],
      ['HEAD', 'Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n'],
    ]) {
      const answer = await rawExchange(
        port,
        `${method} /setup?lang=id HTTP/1.1\r\nHost: relay.local:${port}\r\n${mode}\r\n`,
      );
      expect(statusOf(answer)).toBe(307);
      expect(headerOf(answer, 'Location')).toBe(`https://relay.local:${port}/setup?lang=id`);
      expect(headerOf(answer, 'Cache-Control')).toBe('no-store');
      expect(headerOf(answer, 'Connection')).toBe('close');
    }
    const v6 = await rawExchange(
      port,
      `GET / HTTP/1.1\r\nHost: [fd00::10]:${port}\r\nSec-Fetch-Mode: navigate\r\n\r\n`,
    );
    expect(headerOf(v6, 'Location')).toBe(`https://[fd00::10]:${port}/`);
  });

  it('answers a POST, a WebSocket upgrade or a page fetch with https_required (426) naming the https address', async () => {
    const { port } = await tlsRelay();
    const post = await rawExchange(
      port,
      `POST /v1/orders HTTP/1.1\r\nHost: 192.168.1.10:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    );
    expect(statusOf(post)).toBe(426);
    expect(headerOf(post, 'Upgrade')).toBe('TLS/1.3, HTTP/1.1');
    expect(bodyOf(post).error.code).toBe('https_required');
    expect(bodyOf(post).error.message).toContain(`use https://192.168.1.10:${port}/v1/orders`);

    const upgrade = await rawExchange(
      port,
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 192.168.1.10:${port}\r\n` +
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(statusOf(upgrade)).toBe(426);

    // A page's own request (a poll configured with http://) is not redirected either, with or
    // without fetch metadata (browsers send none to http://), and neither is curl.
    for (const extra of ['Sec-Fetch-Mode: cors\r\nAccept: */*\r\n', 'Accept: */*\r\n', '']) {
      const poll = await rawExchange(
        port,
        `GET /health HTTP/1.1\r\nHost: 192.168.1.10:${port}\r\n${extra}\r\n`,
      );
      expect(statusOf(poll)).toBe(426);
      // Readable by the page, so its client can say why (see the client's relay probe).
      expect(headerOf(poll, 'Access-Control-Allow-Origin')).toBe('*');
      expect(headerOf(poll, 'Location')).toBeUndefined();
    }
    expect(headerOf(upgrade, 'Location')).toBeUndefined();
    expect(bodyOf(upgrade).error.message).toContain('serves HTTPS only');
  });

  // A browser preflights a POS's POST (JSON, Authorization): a 426 there is a bare network
  // error to the page, so its outbox said `network`, never why.
  it("lets a page's preflight through, so the page reads the 426 that follows", async () => {
    const { port } = await tlsRelay();
    const preflight = await rawExchange(
      port,
      `OPTIONS /v1/orders HTTP/1.1\r\nHost: 192.168.1.10:${port}\r\nOrigin: https://pos.example\r\n` +
        'Access-Control-Request-Method: POST\r\n' +
        'Access-Control-Request-Headers: authorization, content-type\r\n\r\n',
    );
    expect(statusOf(preflight)).toBe(204);
    expect(headerOf(preflight, 'Access-Control-Allow-Origin')).toBe('*');
    expect(headerOf(preflight, 'Access-Control-Allow-Methods')).toBe('POST');
    expect(headerOf(preflight, 'Access-Control-Allow-Headers')).toBe('authorization, content-type');
    // Nothing but header names is echoed back.
    const odd = await rawExchange(
      port,
      `OPTIONS / HTTP/1.1\r\nHost: relay\r\nAccess-Control-Request-Method: POST\r\n` +
        'Access-Control-Request-Headers: x-a, <script>\r\n\r\n',
    );
    expect(statusOf(odd)).toBe(204);
    expect(headerOf(odd, 'Access-Control-Allow-Headers')).toBeUndefined();
  });

  it('never echoes a Host header that is not a host name or address', async () => {
    const { port } = await tlsRelay();
    for (const host of ['evil.example/phish?', 'a b', '']) {
      const answer = await rawExchange(port, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(statusOf(answer)).toBe(426);
      expect(headerOf(answer, 'Location')).toBeUndefined();
    }
  });

  it('keeps serving HTTPS on the same port, a handshake split over two packets included', async () => {
    const { port, caPem } = await tlsRelay();
    // A proxy that forwards the client's first byte alone, then the rest.
    const proxy = createNetServer((client) => {
      const upstream = netConnect(port, '127.0.0.1');
      upstream.setNoDelay(true);
      let first = true;
      client.on('data', (chunk: Buffer) => {
        if (!first) return void upstream.write(chunk);
        first = false;
        upstream.write(chunk.subarray(0, 1), () =>
          setImmediate(() => upstream.write(chunk.subarray(1))),
        );
      });
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    proxies.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;

    const plain = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/html\r\n\r\n`,
    );
    expect(statusOf(plain)).toBe(307);
    const direct = await httpsGet(`https://127.0.0.1:${port}`, '/health', caPem);
    expect(direct.status).toBe(200);
    const split = await httpsGet(`https://127.0.0.1:${proxyPort}`, '/health', caPem);
    expect(split.status).toBe(200);
    expect(split.json().tls.enabled).toBe(true);
  });
});

describe('connections that never finish', () => {
  it('are closed: a silent one after the first-byte timeout, a trickling plain request at its deadline', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const server = createHttpsServer({ cert: pair.cert, key: pair.key });
    answerPlainHttpOnTlsPort(server, { firstByteTimeoutMs: 50, plainDeadlineMs: 50 });
    proxies.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };

    // Neither would ever end by itself: these resolve only because the server closes them.
    const silent = rawExchange(port, '');
    const trickling = rawExchange(port, 'GET / HTTP/1.1\r\nHost: rel');
    expect(await silent).toBe('');
    expect(await trickling).toBe('');
  });
});
