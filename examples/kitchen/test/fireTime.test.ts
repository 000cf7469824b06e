import { afterEach, expect, test } from 'vitest';
import { fireTime } from '../src/fireTime';

const zoneAtStart = process.env.TZ;
afterEach(() => {
  if (zoneAtStart === undefined) delete process.env.TZ;
  else process.env.TZ = zoneAtStart;
});

test('a fire time reads in the kitchen zone however the POS wrote the instant', () => {
  process.env.TZ = 'Asia/Makassar'; // a kitchen in Bali, WITA (UTC+8)
  const now = new Date('2026-12-06T10:00:00Z'); // 18:00 WITA
  for (const written of [
    '2026-12-06T12:30:00Z',
    '2026-12-06T12:30:00.000Z',
    '2026-12-06T19:30:00+07:00',
    '2026-12-06T20:30:00+08:00',
    '2026-12-06T21:30:00+09:00',
  ]) {
    expect(fireTime(written, now)).toBe('20:30');
  }
});

test('a fire time on another day here has its date in front', () => {
  process.env.TZ = 'Asia/Makassar';
  const now = new Date('2026-12-06T15:00:00Z'); // 23:00 WITA
  expect(fireTime('2026-12-06T16:30:00Z', now)).toBe('7 Des 00:30');
  expect(fireTime('2026-12-06T15:30:00Z', now)).toBe('23:30');
});

test('a fire_at that is not a time shows nothing', () => {
  expect(fireTime('soon')).toBe('');
});
