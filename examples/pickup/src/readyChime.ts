/**
 * A three-note "ding" for a number that turns ready, made with Web Audio (no file to cache).
 * Browsers allow audio only after a user gesture: a staff member taps "sound on" once.
 */
export class ReadyChime {
  #audio: AudioContext | null = null;
  /** Chimes played; shown on the page for tests and for staff checking the speaker. */
  played = 0;

  async unlock(): Promise<boolean> {
    this.#audio ??= new AudioContext();
    await this.#audio.resume();
    return this.#audio.state === 'running';
  }

  play(): void {
    this.played++;
    document.body.dataset.chimes = String(this.played);
    const audio = this.#audio;
    if (audio?.state !== 'running') return;
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 660],
      [0.15, 880],
      [0.3, 1100],
    ] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.3, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.4);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.45);
    }
  }
}
