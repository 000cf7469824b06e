import type { BridgeStatusMessage } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startUploadEndpoint, type UploadEndpoint } from '../../../test-support/uploadEndpoint.js';
import { createBridgeAnnouncer } from '../src/bridge/bridgeStatus.js';
import { client, connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';

const bridgeMessages = (c: { received: { name: string; data: unknown }[] }) =>
  c.received.filter((r) => r.name === 'sync:bridge').map((r) => r.data as BridgeStatusMessage);

let relay: TestRelay | undefined;
let central: UploadEndpoint | undefined;

afterEach(async () => {
  await relay?.close();
  relay = undefined;
  await central?.close();
  central = undefined;
});

describe('sync:bridge on the socket', () => {
  it("tells the uplink's outlet at connect and on change, at most once a second, and no other outlet", async () => {
    central = await startUploadEndpoint();
    relay = await startRelay({
      central: {
        url: central.url,
        token: 'x.y.z',
        outlet: '1',
        backoff: { minMs: 50, maxMs: 200, jitter: 0 },
      },
    });
    const pos = await connected(relay.url, { token: await tokenFor('pos', { outlet: 1 }) });
    const scoped = await connected(relay.url, {
      token: await tokenFor('kitchen', { outlet: 1, tenants: [2] }),
    });
    const otherOutlet = await connected(relay.url, { token: await tokenFor('pos', { outlet: 2 }) });
    expect(bridgeMessages(pos)[0]).toMatchObject({ pending_events: 0, last_success_at: null });
    // At connect, as for the POS (a tenant-scoped kitchen of the outlet gets it too).
    expect(bridgeMessages(scoped)[0]).toMatchObject({ pending_events: 0 });

    await pos.waitFor(() =>
      bridgeMessages(pos).some((m) => m.last_error_code === 'central_unreachable'),
    );
    const burstStarted = Date.now();
    for (let i = 0; i < 30; i++) {
      const ack = await pos.request<{ ok: boolean }>('order:publish', order({ tenant_id: 1 }));
      expect(ack.ok).toBe(true);
    }
    await pos.waitFor(() => bridgeMessages(pos).at(-1)?.pending_events === 30, 5_000);
    const burstMs = Date.now() - burstStarted;
    const during = bridgeMessages(pos).filter((m) => m.pending_events > 0);
    // 30 commits while central is away: one message a second at most, not one per commit.
    expect(during.length).toBeLessThanOrEqual(Math.ceil(burstMs / 1_000) + 1);
    // Between retries or in one (which says `uploading` until it fails again).
    expect(['backoff', 'uploading']).toContain(during.at(-1)?.state);
    expect(during.at(-1)?.last_error_code).toBe('central_unreachable');

    central.up = true;
    await pos.waitFor(() => bridgeMessages(pos).at(-1)?.state === 'synced', 5_000);
    expect(bridgeMessages(pos).at(-1)).toMatchObject({
      pending_events: 0,
      lag_seconds: 0,
      last_error_code: null,
    });
    expect(bridgeMessages(pos).at(-1)?.last_success_at).toEqual(expect.any(String));
    await scoped.waitFor(() => bridgeMessages(scoped).at(-1)?.state === 'synced', 5_000);
    expect(bridgeMessages(otherOutlet)).toEqual([]);
  });

  it('is never sent by a relay without central', async () => {
    relay = await startRelay();
    const pos = client(relay.url, { token: await tokenFor('pos', { outlet: 1 }) });
    await pos.waitFor((r) => r.some((x) => x.name === 'sync:caught_up'));
    const ack = await pos.request<{ ok: boolean }>('order:publish', order());
    expect(ack.ok).toBe(true);
    await pos.waitFor((r) => r.filter((x) => x.name === 'event').length === 1);
    expect(bridgeMessages(pos)).toEqual([]);
  });
});

describe('the bridge announcer', () => {
  function announcer(status: () => BridgeStatusMessage) {
    vi.useFakeTimers();
    const sent: BridgeStatusMessage[] = [];
    const created = createBridgeAnnouncer({
      status,
      send: (m) => sent.push(m),
      now: Date.now,
      timers: { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    });
    return { sent, created };
  }
  const message = (pending: number, lag = 0): BridgeStatusMessage => ({
    state: 'backoff',
    pending_events: pending,
    lag_seconds: lag,
    last_success_at: null,
    last_error_code: 'central_unreachable',
  });

  afterEach(() => vi.useRealTimers());

  it('sends the first change at once, later ones at most once a second, the last one always', async () => {
    let pending = 0;
    const { sent, created } = announcer(() => message(pending));
    for (pending = 1; pending <= 5; pending++) created.changed();
    expect(sent.map((m) => m.pending_events)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((m) => m.pending_events)).toEqual([1, 6]);
    created.stop();
  });

  it('stays quiet when only the lag grew', async () => {
    let lag = 0;
    const { sent, created } = announcer(() => message(3, lag));
    created.changed();
    for (lag = 1; lag < 10; lag++) {
      await vi.advanceTimersByTimeAsync(1_000);
      created.changed();
    }
    expect(sent).toHaveLength(1);
    created.stop();
    created.changed();
    expect(sent).toHaveLength(1);
  });
});
