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
    'central: unreachable since 05:54 AM · 900 events not yet uploaded',
  );
});

test('an outage two days old shows its date and how long ago, not a time that reads as today', () => {
  expect(bridgeLine(outage('2026-12-04T05:54:00Z'), at('2026-12-06T05:54:13Z'))).toBe(
    'central: unreachable since Dec 4 05:54 AM (2 d 0 h ago) · 900 events not yet uploaded',
  );
});

test("'today' is the screen's day: past midnight in Jakarta, 23:30 is yesterday", () => {
  const line = bridgeLine(
    outage('2026-12-05T16:30:00Z', 1),
    at('2026-12-05T17:10:00Z', 'Asia/Jakarta'),
  );
  expect(line).toBe(
    'central: unreachable since Dec 5 11:30 PM (40 min ago) · 1 event not yet uploaded',
  );
  // The same moments in UTC are one day: the time alone.
  expect(bridgeLine(outage('2026-12-05T16:30:00Z', 1), at('2026-12-05T17:10:00Z'))).toBe(
    'central: unreachable since 04:30 PM · 1 event not yet uploaded',
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
    'central: unreachable · 2 events not yet uploaded',
  );
});
