import type { Environment } from '../lib/environment.js';
import { type Readable, writable } from '../store.js';
import type { MasterDataStatus } from './types.js';

type StatusFields = Omit<MasterDataStatus, 'stale'>;

export interface StatusStore {
  readonly readable: Readable<MasterDataStatus>;
  update(fields: Partial<StatusFields>): void;
  dispose(): void;
}

/**
 * The status with `stale` derived from the clock: a timer flips it when the last sync ages
 * past `staleAfterMs`, armed only while someone subscribes; `get()` always recomputes.
 */
export function createStatusStore(env: Environment, staleAfterMs: number): StatusStore {
  let fields: StatusFields = { state: 'idle', lastSync: null, error: null };
  let watched = false;
  let timer: unknown;

  const isStale = () => fields.lastSync === null || env.now() - fields.lastSync > staleAfterMs;
  const snapshot = (): MasterDataStatus => ({ ...fields, stale: isStale() });

  const disarm = () => {
    if (timer !== undefined) env.timers.clearTimeout(timer);
    timer = undefined;
  };
  const arm = () => {
    disarm();
    if (!watched || fields.lastSync === null) return;
    const due = fields.lastSync + staleAfterMs - env.now();
    if (due < 0) return;
    timer = env.timers.setTimeout(() => {
      timer = undefined;
      store.set(snapshot());
    }, due + 1);
  };

  const store = writable<MasterDataStatus>(snapshot(), (set) => {
    watched = true;
    set(snapshot());
    arm();
    return () => {
      watched = false;
      disarm();
    };
  });

  return {
    readable: {
      subscribe: store.subscribe,
      get() {
        const current = store.get();
        if (current.stale !== isStale()) store.set(snapshot());
        return store.get();
      },
    },
    update(next) {
      fields = { ...fields, ...next };
      store.set(snapshot());
      arm();
    },
    dispose() {
      watched = false;
      disarm();
    },
  };
}
