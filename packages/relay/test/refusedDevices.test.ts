import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createRefusedDevices, type DeviceRefusal } from '../src/auth/refusedDevices.js';

function tracker() {
  const lines: Array<Record<string, unknown>> = [];
  const counted: string[] = [];
  let ms = 0;
  const devices = createRefusedDevices({
    logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    now: () => Date.UTC(2026, 0, 1) + ms,
    elapsed: () => ms,
    count: (reason) => counted.push(reason),
  });
  return { devices, lines, counted, advance: (by: number) => (ms += by) };
}

const expired = (clientId: string | undefined, address = '10.0.0.7'): DeviceRefusal => ({
  reason: 'token_expired',
  message: 'token expired',
  clientId,
  address,
  transport: 'socket',
});

describe('refused devices', () => {
  it('logs a device and reason at most once a minute, saying how many were refused meanwhile', () => {
    const { devices, lines, counted, advance } = tracker();
    for (let n = 0; n < 5; n++) devices.refused(expired('kds-2'));
    devices.refused({
      ...expired('kds-2'),
      reason: 'invalid_signature',
      message: 'token is invalid',
    });
    expect(lines.map((l) => [l.client_id, l.reason, l.repeated])).toEqual([
      ['kds-2', 'token_expired', undefined],
      ['kds-2', 'invalid_signature', undefined],
    ]);
    advance(59_999);
    devices.refused(expired('kds-2'));
    expect(lines).toHaveLength(2);
    advance(1);
    devices.refused(expired('kds-2'));
    expect(lines[2]).toMatchObject({
      code: 'device_refused',
      client_id: 'kds-2',
      address: '10.0.0.7',
      repeated: 5,
    });
    expect(counted).toHaveLength(8);
  });

  it('lists the last 10 minutes only, names a device without an id by its address, and keeps names printable', () => {
    const { devices, advance } = tracker();
    devices.refused(expired(undefined, '10.0.0.9'));
    advance(300_000);
    devices.refused(expired('kds\n-4'));
    expect(devices.recent()).toEqual([
      {
        client_id: '10.0.0.9',
        reason: 'token_expired',
        count: 1,
        last_at: '2026-01-01T00:00:00.000Z',
      },
      {
        client_id: 'kds?-4',
        reason: 'token_expired',
        count: 1,
        last_at: '2026-01-01T00:05:00.000Z',
      },
    ]);
    advance(300_000);
    expect(devices.recent().map((row) => row.client_id)).toEqual(['kds?-4']);
  });

  it('writes at most 20 lines a minute for made-up devices, then one line saying how many it left out', () => {
    const { devices, lines, advance } = tracker();
    for (let n = 0; n < 300; n++) devices.refused(expired(`made-up-${n}`));
    expect(lines).toHaveLength(20);
    advance(60_000);
    devices.refused(expired('kds-2'));
    expect(lines[20]).toMatchObject({ code: 'device_refused', suppressed: 280 });
    expect(lines[21]).toMatchObject({ code: 'device_refused', client_id: 'kds-2' });
    // /health shows the newest 50, the real tablet among them.
    const shown = devices.recent();
    expect(shown).toHaveLength(50);
    expect(shown.at(-1)?.client_id).toBe('kds-2');
  });
});
