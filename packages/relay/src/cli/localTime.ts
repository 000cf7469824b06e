const two = (n: number) => String(n).padStart(2, '0');

/**
 * An instant as this PC's clock shows it, with its offset: `2026-12-06 15:44:55 (UTC+08:00)`.
 * The cashier reading `status` compares it with the clock on the wall, not with UTC, and the
 * offset says which zone the PC is set to. What cannot be read as a time is returned as it came.
 */
export function localTime(instant: string | number): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return String(instant);
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `UTC${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} (${zone})`
  );
}
