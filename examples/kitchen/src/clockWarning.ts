/**
 * Past this, the relay's clock and the tablet's disagree by more than a LAN's delay or a clock
 * drifting between NTP syncs: one of them is set wrong. The timers stay right (they run on the
 * relay's clock), but what else reads a clock (the POS's `created_at`, tokens) may not.
 */
export const CLOCK_WARNING_MS = 3 * 60_000;

/** "5 jam", "4 jam 30 menit", "7 menit". */
function span(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return `${minutes} menit`;
  return rest ? `${hours} jam ${rest} menit` : `${hours} jam`;
}

/**
 * The warning for an offset (relay minus tablet, ms; `createRelayClock`'s store), or null
 * within `CLOCK_WARNING_MS`. Which clock is wrong the screen cannot know: it names both.
 */
export function clockWarning(offsetMs: number): string | null {
  if (Math.abs(offsetMs) <= CLOCK_WARNING_MS) return null;
  const side = offsetMs > 0 ? 'lebih cepat' : 'lebih lambat';
  return (
    `Jam relay beda ${span(offsetMs)} dari tablet (relay ${side}). Timer tiket memakai jam ` +
    'relay; periksa jam PC relay dan jam tablet (atur otomatis dari internet).'
  );
}

export function showClockWarning(element: HTMLElement, offsetMs: number): void {
  const text = clockWarning(offsetMs);
  element.hidden = text === null;
  element.textContent = text ?? '';
  element.dataset.offsetMs = String(Math.round(offsetMs));
}
