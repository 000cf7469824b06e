import { expect, test } from 'vitest';
import { CLOCK_WARNING_MS, clockWarning } from '../src/clockWarning';

const MIN = 60_000;

test('the kitchen is warned when the relay and the tablet disagree by more than a few minutes', () => {
  expect(clockWarning(0)).toBeNull();
  expect(clockWarning(CLOCK_WARNING_MS)).toBeNull();
  expect(clockWarning(-2 * MIN)).toBeNull();
  expect(clockWarning(5 * 60 * MIN + 4 * 1000)).toMatch(
    /^Jam relay beda 5 jam dari tablet \(relay lebih cepat\)/,
  );
  expect(clockWarning(-5 * 60 * MIN)).toMatch(
    /^Jam relay beda 5 jam dari tablet \(relay lebih lambat\)/,
  );
  expect(clockWarning(90 * MIN)).toMatch(/beda 1 jam 30 menit/);
  expect(clockWarning(-7 * MIN)).toMatch(/beda 7 menit/);
});
