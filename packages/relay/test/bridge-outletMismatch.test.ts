import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../src/relay.js';
import { closeClients, connected, order, SECRET, tokenFor } from './helpers.js';

/** Central as the Django package answers the bridge, for outlet 106, recording every request. */
async function fakeCentral() {
  const uploads: Array<{ outlet_id: string; events: unknown[] }> = [];
  const polls: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.url?.includes('/upload/')) {
        const batch = JSON.parse(body) as { outlet_id: string; epoch: string; events: unknown[] };
        uploads.push(batch);
        response.end(JSON.stringify({ epoch: batch.epoch, last_seq: batch.events.length }));
        return;
      }
      polls.push(request.url ?? '');
      // Outlet 106's history at central: what a relay of another outlet must not pull.
      response.end(
        JSON.stringify({
          events: [
            {
              seq: 1,
              event_id: '00000000-0000-4000-8000-000000000001',
              type: 'new_order',
              order_id: '10000000-0000-4000-8000-000000000001',
              data: { outlet_id: 106, tenant_id: 1, order_number: 'C-1', items: [] },
            },
          ],
          last_seq: 1,
          has_more: false,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, uploads, polls, server };
}

let relay: Relay | undefined;
let central: Awaited<ReturnType<typeof fakeCentral>> | undefined;
afterEach(async () => {
  closeClients();
  await relay?.close();
  central?.server.close();
});

/** A relay bridged with outlet 106's central credential (a relay of outlet 111 in the first test). */
async function relayWithCredentialOf106(centralUrl: string): Promise<string> {
  relay = createRelay({
    secret: SECRET,
    store: 'memory',
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    central: { url: centralUrl, token: 'x.y.z', outlet: '106' },
  });
  return (await relay.listen()).url;
}

type Bridge = { state: string; lastErrorCode: string | null; downlinkState: string | null };
async function bridgeOf(url: string): Promise<Bridge> {
  return ((await (await fetch(`${url}/health`)).json()) as { bridge: Bridge }).bridge;
}

/** Polls /health (bounded) until `done` holds; returns the last bridge seen. */
async function bridgeWhen(url: string, done: (bridge: Bridge) => boolean): Promise<Bridge> {
  const until = Date.now() + 5_000;
  for (;;) {
    const bridge = await bridgeOf(url);
    if (done(bridge) || Date.now() > until) return bridge;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a relay given the central credential of another outlet', () => {
  it('reports central_outlet_mismatch, pulls nothing of that outlet and uploads nothing, until that outlet shows up', async () => {
    central = await fakeCentral();
    const url = await relayWithCredentialOf106(central.url);
    const pos = await connected(url, { token: await tokenFor('pos', { outlet: 111 }) });
    expect(
      (await pos.request<{ ok: boolean }>('order:publish', order({ outlet_id: 111 }))).ok,
    ).toBe(true);

    const bridge = await bridgeWhen(url, (b) => b.state === 'error');
    expect(bridge).toMatchObject({ state: 'error', lastErrorCode: 'central_outlet_mismatch' });
    expect(central.polls).toEqual([]);
    expect(central.uploads.flatMap((batch) => batch.events)).toEqual([]);
    expect(relay?.store.outlets()).toEqual(['111']);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /kitchen_sync_bridge_state\{state="error"\} 1/,
    );

    // A food court: a screen of the credential's outlet signs in, and the bridge works.
    await connected(url, { token: await tokenFor('kitchen', { outlet: 106 }) });
    const confirmed = await bridgeWhen(url, (b) => b.downlinkState === 'synced');
    expect(confirmed.state).not.toBe('error');
    expect(confirmed.lastErrorCode).toBeNull();
    expect(central.polls.length).toBeGreaterThan(0);
  });

  it('pulls at once when the log already holds the credential outlet', async () => {
    central = await fakeCentral();
    const url = await relayWithCredentialOf106(central.url);
    const pos = await connected(url, { token: await tokenFor('pos', { outlet: 106 }) });
    await pos.request('order:publish', order({ outlet_id: 106 }));
    const bridge = await bridgeWhen(url, (b) => b.downlinkState === 'synced');
    expect(bridge).toMatchObject({ downlinkState: 'synced', lastErrorCode: null });
  });

  it('starts the downlink when a screen of the credential outlet only polls over HTTP', async () => {
    central = await fakeCentral();
    const url = await relayWithCredentialOf106(central.url);
    // A ghost kitchen: no POS, orders come from central only, its screens long-poll.
    const token = await tokenFor('kitchen', { outlet: 106 });
    const poll = await fetch(`${url}/api/events?since=0`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(poll.status).toBe(200);
    const bridge = await bridgeWhen(url, (b) => b.downlinkState === 'synced');
    expect(bridge).toMatchObject({ downlinkState: 'synced', lastErrorCode: null });
    expect(central.polls.length).toBeGreaterThan(0);
  });
});
