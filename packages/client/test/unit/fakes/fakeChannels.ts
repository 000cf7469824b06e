import type { OutboxChannel } from '../../../src/outbox/orderOutbox.js';

type Listener = (event?: { data?: unknown }) => void;

/** One tab's end of a FakeChannels: `hang()` holds its messages back until `wake()`. */
export class FakeChannel implements OutboxChannel {
  readonly #others: Set<FakeChannel>;
  readonly #listeners = new Set<Listener>();
  #held: unknown[] | null = null;

  constructor(others: Set<FakeChannel>) {
    this.#others = others;
    others.add(this);
  }

  postMessage(data: unknown): void {
    for (const other of this.#others) if (other !== this) other.#receive(data);
  }

  addEventListener(_type: 'message', listener: Listener): void {
    this.#listeners.add(listener);
  }

  removeEventListener(_type: 'message', listener: Listener): void {
    this.#listeners.delete(listener);
  }

  close(): void {
    this.#others.delete(this);
  }

  /** A hung main thread: messages wait in its queue. */
  hang(): void {
    this.#held ??= [];
  }

  wake(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const data of held) this.#receive(data);
  }

  #receive(data: unknown): void {
    if (this.#held) this.#held.push(data);
    else for (const listener of this.#listeners) listener({ data });
  }
}

/**
 * BroadcastChannels of one name across the tabs of a test, in memory: a message reaches every
 * other open end at once, never its sender.
 */
export class FakeChannels {
  readonly #ends = new Set<FakeChannel>();

  open(): FakeChannel {
    return new FakeChannel(this.#ends);
  }
}
