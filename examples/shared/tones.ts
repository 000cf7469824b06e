/**
 * Plays short notes through Web Audio (no sound file to ship or cache for offline use):
 * each `[offset s, frequency Hz]` fades out over `length` seconds. Silent until the context
 * runs, which browsers allow only after a user gesture.
 */
export function playTones(
  audio: AudioContext | null,
  notes: ReadonlyArray<readonly [offset: number, frequency: number]>,
  { gain = 0.3, length = 0.4 } = {},
): void {
  if (audio?.state !== 'running') return;
  const start = audio.currentTime;
  for (const [offset, frequency] of notes) {
    const osc = audio.createOscillator();
    const volume = audio.createGain();
    osc.frequency.value = frequency;
    volume.gain.setValueAtTime(gain, start + offset);
    volume.gain.exponentialRampToValueAtTime(0.001, start + offset + length);
    osc.connect(volume).connect(audio.destination);
    osc.start(start + offset);
    osc.stop(start + offset + length + 0.05);
  }
}
