import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type TestRelay } from './helpers.js';

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('the heartbeat a dead connection is noticed by', () => {
  // Socket.IO's default (25 s + 20 s) left a roaming tablet "connected" for 45 s, orders waiting.
  it('is a ping every 5 s, answered within 10 s, as every client is told at the handshake', async () => {
    relay = await startRelay();
    const response = await fetch(`${relay.url}/socket.io/?EIO=4&transport=polling`);
    const text = await response.text();
    // Engine.IO's open packet: "0" and its JSON.
    expect(text.startsWith('0')).toBe(true);
    expect(JSON.parse(text.slice(1))).toMatchObject({ pingInterval: 5_000, pingTimeout: 10_000 });
  });
});
