import type { BridgeStatusMessage } from '@kitchen-sync/protocol';
import { expect, test } from 'vitest';
import { bridgeLine } from '../bridgeLine';

const outage = (lastSuccessAt: string | null, pending = 900): BridgeStatusMessage => ({
  state: 'backoff',
  pending_events: pending,
  lag_seconds: 0,
  last_success_at: lastSuccessAt,
  last_error_code: 'central_unreachable',
});

const at = (iso: string, timeZone = 'UTC') => ({ now: new Date(iso), locale: 'en-US', timeZone });

test('an outage that began today shows the time alone', () => {
  expect(bridgeLine(outage('2026-12-06T05:54:00Z'), at('2026-12-06T06:30:00Z'))).toBe(
    'central: unreachable since 05:54 AM · 900 events not yet uploaded · periksa koneksi internet PC relay; pesanan tetap berjalan dan terunggah sendiri nanti.',
  );
});

test('an outage two days old shows its date and how long ago, not a time that reads as today', () => {
  expect(bridgeLine(outage('2026-12-04T05:54:00Z'), at('2026-12-06T05:54:13Z'))).toBe(
    'central: unreachable since Dec 4 05:54 AM (2 d 0 h ago) · 900 events not yet uploaded · periksa koneksi internet PC relay; pesanan tetap berjalan dan terunggah sendiri nanti.',
  );
});

test("'today' is the screen's day: past midnight in Jakarta, 23:30 is yesterday", () => {
  const line = bridgeLine(
    outage('2026-12-05T16:30:00Z', 1),
    at('2026-12-05T17:10:00Z', 'Asia/Jakarta'),
  );
  expect(line).toBe(
    'central: unreachable since Dec 5 11:30 PM (40 min ago) · 1 event not yet uploaded · periksa koneksi internet PC relay; pesanan tetap berjalan dan terunggah sendiri nanti.',
  );
  // The same moments in UTC are one day: the time alone.
  expect(bridgeLine(outage('2026-12-05T16:30:00Z', 1), at('2026-12-05T17:10:00Z'))).toBe(
    'central: unreachable since 04:30 PM · 1 event not yet uploaded · periksa koneksi internet PC relay; pesanan tetap berjalan dan terunggah sendiri nanti.',
  );
});

test('all uploaded, and an outage without a success yet', () => {
  const synced: BridgeStatusMessage = {
    state: 'synced',
    pending_events: 0,
    lag_seconds: 0,
    last_success_at: '2026-12-01T00:00:00Z',
    last_error_code: null,
  };
  expect(bridgeLine(synced, at('2026-12-06T06:00:00Z'))).toBe('central: all uploaded');
  expect(bridgeLine(outage(null, 2), at('2026-12-06T06:00:00Z'))).toBe(
    'central: unreachable · 2 events not yet uploaded · periksa koneksi internet PC relay; pesanan tetap berjalan dan terunggah sendiri nanti.',
  );
});

const failing = (code: string): BridgeStatusMessage => ({
  state: 'backoff',
  pending_events: 3,
  lag_seconds: 0,
  last_success_at: null,
  last_error_code: code,
});

test('each error code says its own problem and what to do, not "unreachable" for all', () => {
  const line = (code: string) => bridgeLine(failing(code), at('2026-12-06T06:00:00Z'));
  expect(line('unauthorized')).toBe(
    "central: refuses the relay's credential · 3 events not yet uploaded · pusat menolak kredensial relay: ganti file token (--central-token-file); dibaca ulang tanpa restart.",
  );
  expect(line('forbidden')).toMatch(
    /^central: has the relay's credential as another outlet's · .*kredensial relay milik outlet lain/,
  );
  expect(line('central_outlet_mismatch')).toBe(line('forbidden'));
  expect(line('http_404')).toMatch(/^central: has no relay views \(404\)/);
  expect(line('http_502')).toBe(line('internal'));
  expect(line('central_timeout')).toMatch(/^central: too slow · /);
  expect(line('something_new')).toMatch(
    /^central: fails \(something_new\) · 3 events not yet uploaded · lihat file log relay/,
  );
  // No inherited key is taken for a code.
  expect(line('constructor')).toMatch(/^central: fails \(constructor\)/);
  for (const code of [
    'unauthorized',
    'forbidden',
    'http_404',
    'http_500',
    'seq_gap',
    'epoch_conflict',
  ]) {
    expect(line(code)).not.toMatch(/unreachable/);
  }
});
