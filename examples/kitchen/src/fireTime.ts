/**
 * When a held course fires, on this kitchen's clock: `HH:MM` (24 h), with the date in front
 * (`7 Des 00:30`) when it is not today here. The POS writes the instant in any zone (`…Z`,
 * `…+07:00`); cutting the digits out of that string shows the POS's zone, eight hours off in
 * Bali for a `Z` time. Empty when `fireAt` is not a time.
 */
export function fireTime(fireAt: string, now = new Date()): string {
  const at = new Date(fireAt);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (at.toDateString() === now.toDateString()) return time;
  return `${at.toLocaleDateString('id-ID', { day: 'numeric', month: 'short' })} ${time}`;
}
