import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeRelaySocket, resetFakes, socketServices } from './fakes.js';

// A relay moved to --tls auto while a screen still has its http:// address: the relay answers
// plain HTTP with 426 https_required, and its WebSocket handshake fails.
const MINUTE = 60_000;
const HTTPS_ONLY = {
  error: { code: 'https_required', message: 'this relay serves HTTPS only: use https://…' },
};

let probes = 0;
let polls = 0;
let relayAnswers: 'https_only' | 'down' = 'https_only';

const io = FakeRelaySocket.refusing;

const fetch = async (input: RequestInfo | URL): Promise<Response> => {
  if (new URL(String(input)).pathname === '/health') probes++;
  else polls++;
  if (relayAnswers === 'down') throw new TypeError('fetch failed: ECONNREFUSED');
  return Response.json(HTTPS_ONLY, { status: 426 });
};

const services = socketServices({ relayUrl: 'http://192.168.1.10:3001', token: 'tok', io, fetch });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
  probes = 0;
  polls = 0;
  relayAnswers = 'https_only';
});

describe('a relay that serves HTTPS only, given by its http:// address', () => {
  it('is relay_https_only with the https address, and stays so without probing again', async () => {
    const s = services.make({ pollingGraceMs: 60 * MINUTE });
    s.start();
    // The first failure is only "unreachable"; the probe's answer says why.
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error?.code).toBe('relay_unreachable');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(s.status.get().error).toMatchObject({
      code: 'relay_https_only',
      details: { relayUrl: 'http://192.168.1.10:3001', httpsUrl: 'https://192.168.1.10:3001' },
    });
    expect(s.status.get().reason).toContain('https://');
    const probesSoFar = probes;

    // Socket retries keep failing: the code does not fall back to "unreachable" in between,
    // and the probe, which cannot help, stays quiet.
    for (let t = 0; t < 5 * 60; t++) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(s.status.get().error?.code).toBe('relay_https_only');
    }
    expect(probes).toBe(probesSoFar);
  });

  it('a poll that reads the 426 itself (no browser preflight) says the same', async () => {
    const s = services.make({ relayProbeMs: 0 });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toBeGreaterThan(0);
    expect(s.status.get().error?.code).toBe('relay_https_only');
  });

  it('a relay that is down is still relay_unreachable', async () => {
    relayAnswers = 'down';
    const s = services.make({ pollingGraceMs: 60 * MINUTE });
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.status.get().error?.code).toBe('relay_unreachable');
    expect(probes).toBeGreaterThan(3);
  });
});
