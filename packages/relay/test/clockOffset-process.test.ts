import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from './cliProcess.js';
import {
  closeClients,
  connected,
  http,
  order,
  removeTempDirs,
  SECRET,
  tempDir,
  tokenFor,
} from './helpers.js';

const HOUR_S = 3_600;
let central: Server | undefined;

afterEach(async () => {
  closeClients();
  killAll();
  removeTempDirs();
  central?.closeAllConnections();
  await new Promise((resolve) => (central ? central.close(resolve) : resolve(undefined)));
  central = undefined;
});

/** A central whose clock is 5 h behind the relay's: every answer's Date header says so. */
async function centralBehind(): Promise<string> {
  central = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.setHeader('date', new Date(Date.now() - 5 * HOUR_S * 1000).toUTCString());
      response.writeHead(503, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => central!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(central.address() as AddressInfo).port}/`;
}

// The relay reads only the credential's claims (central checks its signature).
const relayCredential = () =>
  [
    { alg: 'HS256', typ: 'JWT' },
    { sub: 'relay', role: 'relay', outlet: 1 },
  ]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .concat('signature')
    .join('.');

async function statusOf(url: string, lang: 'en' | 'id') {
  return (await runCli(['status', '--port', new URL(url).port, '--lang', lang])).stdout;
}

describe("a relay process whose machine's clock is off by hours", () => {
  it("tells it is ahead of central's clock by central's Date header: /health clock, a log warning, status", async () => {
    const dir = tempDir();
    const credential = join(dir, 'central.token');
    writeFileSync(credential, `${relayCredential()}\n`, { mode: 0o600 });
    const relay = await startCli(
      ['--central-url', await centralBehind(), '--central-token-file', credential],
      { KS_SECRET: SECRET, KS_DATA_DIR: join(dir, 'data') },
    );
    const pos = await tokenFor('pos');
    await http(relay.url, '/api/events', {
      token: pos,
      body: { type: 'order:publish', payload: order() },
    });
    let health = (await http(relay.url, '/health')).body;
    for (let tries = 0; !health.clock && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      health = (await http(relay.url, '/health')).body;
    }
    expect(health.clock).toMatchObject({ source: 'central', measuredAt: expect.any(String) });
    expect(Math.abs(health.clock.offsetSeconds - 5 * HOUR_S)).toBeLessThanOrEqual(2);
    expect(health.timestamp).toEqual(expect.any(String));
    expect(await statusOf(relay.url, 'en')).toContain(
      "WARNING: this PC's clock is 5 h 0 min ahead of central's: kitchen timers and token expiry are wrong",
    );
    expect(await statusOf(relay.url, 'id')).toContain(
      'PERINGATAN: jam PC ini 5 jam 0 menit lebih cepat dari jam pusat',
    );
    relay.child.kill('SIGTERM');
    await relay.exited;
    const warnings = relay.stderr().match(/"code":"clock_off"/g) ?? [];
    expect(warnings).toHaveLength(1);
  });

  it('tells it is behind by a token issued in the future', async () => {
    const relay = await startCli([], { KS_SECRET: SECRET, KS_DATA_DIR: join(tempDir(), 'data') });
    const nowS = Math.floor(Date.now() / 1000);
    // Half a minute past the 2 h: the relay reads the token a moment after it is made, and
    // status shows whole minutes rounded down (2 h less a second is "1 h 59 min").
    const aheadS = 2 * HOUR_S + 30;
    const fromTheFuture = await new SignJWT({ role: 'kitchen', outlet: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('kds-1')
      .setIssuedAt(nowS + aheadS)
      .setExpirationTime(nowS + 10 * HOUR_S)
      .sign(new TextEncoder().encode(SECRET));
    await connected(relay.url, { token: fromTheFuture });
    const health = (await http(relay.url, '/health')).body;
    expect(health.clock).toMatchObject({ source: 'token' });
    expect(Math.abs(health.clock.offsetSeconds + aheadS)).toBeLessThanOrEqual(5);
    expect(await statusOf(relay.url, 'en')).toContain(
      "WARNING: this PC's clock is 2 h 0 min behind the clock that issued the devices' tokens",
    );
  });
});
