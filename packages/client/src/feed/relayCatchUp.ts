/** What waited for the relay's copy of an order, now that it has come. */
export interface RelayArrival {
  /** The screen acknowledged the order before the relay had it. */
  ack: boolean;
}

/** Orders remembered either way; a screen that never hears from a relay must not grow. */
const REMEMBERED = 5_000;

/**
 * Orders a kitchen has from central while the relay has not brought them yet: the relay was
 * down (the outlet PC died) or the POS's copy is still on its way to it. What the cook does to
 * such an order meanwhile must still reach the relay once it has the order. An acknowledgement
 * waits here (the relay drops one for an order it does not hold); a command it refused
 * `not_found` (a bump that got there before the POS's order) waits in the outbox's rejected
 * list, from which the feed sends it again when the order comes.
 */
export class RelayCatchUp {
  /** Orders central brought first; the value: whether the screen acknowledged one. */
  readonly #centralOnly = new Map<string, boolean>();
  /** Orders whose relay copy came after central's: a refusal still on its way is retried once. */
  readonly #arrived = new Set<string>();

  /** Central brought an order the screen did not hold (`acked`: a stored one it acknowledged). */
  fromCentral(orderId: string, acked = false): void {
    remember(this.#centralOnly, orderId, acked);
  }

  /** Whether only central has brought `orderId` yet: the relay may still be about to get it. */
  awaitsRelay(orderId: string): boolean {
    return this.#centralOnly.has(orderId);
  }

  /** Whether an acknowledgement must wait for the relay's copy (it is remembered if so). */
  deferAck(orderId: string): boolean {
    if (!this.#centralOnly.has(orderId)) return false;
    this.#centralOnly.set(orderId, true);
    return true;
  }

  /**
   * The relay refused a command about `orderId` as `not_found`: true when its copy came
   * meanwhile (the refusal overtook nothing), so the command goes again at once.
   */
  refusedAfterArrival(orderId: string): boolean {
    return this.#arrived.delete(orderId);
  }

  /** The relay brought the order: what waited for it, or null when nothing did. */
  fromRelay(orderId: string): RelayArrival | null {
    const ack = this.#centralOnly.get(orderId);
    if (ack === undefined) return null;
    this.#centralOnly.delete(orderId);
    this.#arrived.add(orderId);
    if (this.#arrived.size > REMEMBERED) this.#arrived.delete(first(this.#arrived));
    return { ack };
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(first(map.keys()));
}

function first(keys: Iterable<string>): string {
  for (const key of keys) return key;
  return '';
}
