import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import {
  createMasterDataService,
  type MasterDataService,
  type MasterDataServiceOptions,
} from '../../../src/master-data/masterDataService.js';
import { CENTRAL_URL } from './fakeCentral.js';
import { FakeClock } from './fakeClock.js';

/** navigator.onLine with online/offline events, as the service reads it from `window`. */
export class FakeWindow extends EventTarget {
  readonly navigator = { onLine: true };

  setOnline(online: boolean): void {
    this.navigator.onLine = online;
    this.dispatchEvent(new Event(online ? 'online' : 'offline'));
  }
}

export class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';

  setHidden(hidden: boolean): void {
    this.visibilityState = hidden ? 'hidden' : 'visible';
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

export interface Terminal {
  idb: IDBFactory;
  clock: FakeClock;
  window: FakeWindow;
  document: FakeDocument;
  service: MasterDataService;
  /** A second service on the same database: a reload, or another tab. */
  open(overrides?: Partial<MasterDataServiceOptions>): MasterDataService;
  close(): Promise<void>;
}

/** A kiosk with its own fresh IndexedDB, clock, window and document. */
export function terminal(
  overrides: Partial<MasterDataServiceOptions> = {},
  idb: IDBFactory = new IDBFactory(),
): Terminal {
  const clock = new FakeClock();
  const window = new FakeWindow();
  const document = new FakeDocument();
  const opened: MasterDataService[] = [];
  const open = (more: Partial<MasterDataServiceOptions> = {}) => {
    const service = createMasterDataService({
      baseUrl: CENTRAL_URL,
      indexedDB: idb,
      now: clock.now,
      timers: clock,
      random: () => 0.5,
      window,
      document: document as unknown as Document,
      retry: { attempts: 3, minDelayMs: 100, maxDelayMs: 1_000 },
      ...overrides,
      ...more,
    });
    opened.push(service);
    return service;
  };
  return {
    idb,
    clock,
    window,
    document,
    service: open(),
    open,
    close: async () => {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
}

export function ids(rows: Array<{ id: string | number }>): Array<string | number> {
  return rows
    .map((row) => row.id)
    .sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
}
