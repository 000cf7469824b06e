import { playTones } from '../../shared/tones';

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
    playTones(this.#audio, [
      [0, 660],
      [0.15, 880],
      [0.3, 1100],
    ]);
  }
}
