import type { BridgeStatusMessage } from '@kitchen-sync/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SocketStatus } from '../../../src/socket/types.js';
import { FakeRelaySocket, resetFakes, socketServices } from './fakes.js';

const services = socketServices({
  relayUrl: 'http://relay.test:3001',
  token: 'tok',
  clientId: 'pos-1',
  io: FakeRelaySocket.factory,
  fetch: () => new Promise<Response>(() => {}),
  reconnect: { min: 1_000, max: 30_000, jitter: 0.5 },
});

const behind: BridgeStatusMessage = {
  state: 'backoff',
  pending_events: 12,
  lag_seconds: 40,
  last_success_at: '2026-01-03T09:59:00.000Z',
  last_error_code: 'central_unreachable',
};

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-03T10:00:00Z') });
  resetFakes();
});

describe('status.bridge', () => {
  it('is what the relay last said about central, and null once the relay is away', async () => {
    const s = services.make();
    const seen: Array<SocketStatus['bridge']> = [];
    // Every change of the field, not every status update (connecting is one too).
    s.status.subscribe(({ bridge }) => {
      if (seen.length === 0 || seen.at(-1) !== bridge) seen.push(bridge);
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    expect(s.status.get().bridge).toBeNull();

    relay.sendBridge(behind);
    expect(s.status.get()).toMatchObject({ mode: 'connected', bridge: behind });
    const synced = { ...behind, state: 'synced', pending_events: 0, last_error_code: null };
    relay.sendBridge(synced);
    expect(s.status.get().bridge).toEqual(synced);

    relay.drop();
    expect(s.status.get().bridge).toBeNull();
    expect(seen).toEqual([null, behind, synced, null]);
  });

  it('ignores a malformed message', async () => {
    const s = services.make();
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    relay.sendBridge(behind);
    relay.sendBridge({ state: 'synced' });
    relay.sendBridge('nonsense');
    expect(s.status.get().bridge).toEqual(behind);
  });
});
