import type { Workbox } from 'workbox-window';
import { KitchenSyncError } from '../errors.js';
import { Disposables, resolveEnvironment, type Timers } from '../lib/environment.js';
import { Listeners } from '../lib/listeners.js';
import { type Readable, readonly, writable } from '../store.js';
import {
  ORDER_QUEUE_NAME,
  type QueueStatus,
  type QueueSummary,
  type RetryResult,
  SW_MESSAGES,
  type SyncResult,
} from '../sw/protocol.js';
import { messageWorker } from './messageWorker.js';

/**
 * Why there is no service worker: `insecure_context` on a page served over plain http from a
 * LAN address (browsers offer workers only to https and localhost pages), `not_in_browser`
 * where the browser has none (or it is switched off).
 */
export type ServiceWorkerUnsupportedReason = 'insecure_context' | 'not_in_browser';

export interface ServiceWorkerStatus {
  /** The browser has service workers (and the page is a secure context). */
  supported: boolean;
  /** Set when `supported` is false. Pages keep working without a worker: see docs/client.md. */
  unsupportedReason: ServiceWorkerUnsupportedReason | null;
  registered: boolean;
  active: boolean;
  waiting: boolean;
  installing: boolean;
  /** A new version waits behind the active one: offer `skipWaiting()`. */
  updateAvailable: boolean;
  error: KitchenSyncError | null;
}

export interface ServiceWorkerManagerOptions {
  /** The worker script, default `/sw.js`. */
  url?: string | undefined;
  scope?: string | undefined;
  type?: WorkerType | undefined;
  /** Called after `skipWaiting()` handed control to the new version. Default: reload the page. */
  reload?: (() => void) | undefined;
  /** Bound for every answer from the worker. Default 60 s (SYNC_NOW may send many orders). */
  messageTimeoutMs?: number | undefined;
  /** Tell the worker to replay when the browser comes online. Default true. */
  syncOnOnline?: boolean | undefined;
  navigator?: Navigator | undefined;
  /** Default `globalThis.isSecureContext`. */
  isSecureContext?: boolean | undefined;
  window?: Pick<Window, 'addEventListener' | 'removeEventListener'> | undefined;
  caches?: CacheStorage | undefined;
  timers?: Timers | undefined;
}

export type QueueListener = (summary: QueueSummary) => void;

const SYNC_TAG = `workbox-background-sync:${ORDER_QUEUE_NAME}`;

const INITIAL: ServiceWorkerStatus = {
  supported: false,
  unsupportedReason: null,
  registered: false,
  active: false,
  waiting: false,
  installing: false,
  updateAvailable: false,
  error: null,
};

/** The page's side of `@kitchen-sync/client/sw`: registration, updates, the order queue. */
export class ServiceWorkerManager {
  readonly status: Readable<ServiceWorkerStatus>;
  /** The queue's counts as the worker last announced them; `null` until it does. */
  readonly queue: Readable<QueueSummary | null>;

  readonly #status = writable<ServiceWorkerStatus>(INITIAL);
  readonly #queue = writable<QueueSummary | null>(null);
  readonly #listeners = new Listeners();
  readonly #subs = new Disposables();
  readonly #url: string;
  readonly #options: ServiceWorkerManagerOptions;
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  #registration: ServiceWorkerRegistration | undefined;
  #workbox: Workbox | undefined;
  /** Counts the worker's announcements, so an older answer never overwrites a newer one. */
  #queueVersion = 0;

  constructor(options: ServiceWorkerManagerOptions = {}) {
    this.#options = options;
    this.#url = options.url ?? '/sw.js';
    this.#timers = resolveEnvironment(options.timers ? { timers: options.timers } : {}).timers;
    this.#timeoutMs = options.messageTimeoutMs ?? 60_000;
    this.status = readonly(this.#status);
    this.queue = readonly(this.#queue);
    const supported = this.#container() !== undefined;
    const secure =
      options.isSecureContext ?? (globalThis as { isSecureContext?: boolean }).isSecureContext;
    this.#status.update((s) => ({
      ...s,
      supported,
      unsupportedReason: supported
        ? null
        : secure === false
          ? 'insecure_context'
          : 'not_in_browser',
    }));
  }

  /** Registers the worker; resolves `false` where service workers are unavailable or it fails. */
  async register(): Promise<boolean> {
    const container = this.#container();
    if (!container) return false;
    if (this.#registration) return true;
    const registerOptions: RegistrationOptions = {};
    if (this.#options.scope) registerOptions.scope = this.#options.scope;
    if (this.#options.type) registerOptions.type = this.#options.type;
    // Loaded here, not at the top: Node (SSR of the page that imports this entry) reads
    // workbox-window's UMD main, which has no named ESM exports, and the import would throw
    // for the whole page. Only a browser with service workers gets this far.
    let loaded: typeof import('workbox-window');
    try {
      loaded = await import('workbox-window');
    } catch (error) {
      // Its chunk can fail to load (offline before the worker cached it): as a failed register.
      this.#status.update((s) => ({ ...s, error: toError('registration_failed', error) }));
      return false;
    }
    if (this.#registration) return true;
    this.#workbox = new loaded.Workbox(this.#url, registerOptions);
    this.#subs.listen(container, 'message', (event) => this.#onMessage(event as MessageEvent));
    this.#subs.listen(container, 'controllerchange', () => this.#refresh());
    // Messages from the worker are held back until the page opts in.
    container.startMessages();
    if (this.#options.syncOnOnline ?? true) {
      this.#subs.listen(this.#window(), 'online', () => this.notifyOnline());
    }
    try {
      this.#registration = await this.#workbox.register({ immediate: true });
    } catch (error) {
      this.#status.update((s) => ({ ...s, error: toError('registration_failed', error) }));
      return false;
    }
    const registration = this.#registration;
    if (!registration) return false;
    this.#subs.listen(registration, 'updatefound', () => {
      registration.installing?.addEventListener('statechange', () => this.#refresh());
      this.#refresh();
    });
    registration.installing?.addEventListener('statechange', () => this.#refresh());
    registration.waiting?.addEventListener('statechange', () => this.#refresh());
    this.#refresh();
    // The worker announces only changes: after a reload the page would show no queue while
    // orders wait in it. Ask once at start.
    void this.#loadQueue();
    return true;
  }

  /** Checks the server for a new worker version. */
  async update(): Promise<void> {
    await this.#registration?.update();
    this.#refresh();
  }

  /**
   * Activates the waiting version and, once it controls the page, reloads (so page and worker
   * run the same version). Resolves at once when nothing waits.
   */
  async skipWaiting(): Promise<void> {
    const waiting = this.#registration?.waiting;
    const container = this.#container();
    if (!waiting || !container) return;
    const controlled = new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.#timers.clearTimeout(timer);
        container.removeEventListener('controllerchange', done);
        resolve();
      };
      const timer = this.#timers.setTimeout(() => {
        container.removeEventListener('controllerchange', done);
        reject(new KitchenSyncError('timeout', 'the new service worker did not take control'));
      }, this.#timeoutMs);
      container.addEventListener('controllerchange', done);
    });
    waiting.postMessage({ type: SW_MESSAGES.SKIP_WAITING });
    await controlled;
    this.#refresh();
    (this.#options.reload ?? (() => globalThis.location.reload()))();
  }

  /** Replays the order queue now and reports what happened. */
  async syncNow(): Promise<SyncResult> {
    return this.#ask<SyncResult>({ type: SW_MESSAGES.SYNC_NOW });
  }

  /** Asks for a Background Sync (the browser replays when it sees the network); else syncs now. */
  async syncOrders(): Promise<void> {
    const registration = this.#registration as
      | (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
      | undefined;
    if (registration?.sync) {
      try {
        await registration.sync.register(SYNC_TAG);
        return;
      } catch {
        // Denied (permission, policy): fall through to a direct replay.
      }
    }
    await this.syncNow();
  }

  /** Orders waiting in the worker, and the ones the backend refused (to show to the staff). */
  queueStatus(): Promise<QueueStatus> {
    return this.#ask<QueueStatus>({ type: SW_MESSAGES.QUEUE_STATUS });
  }

  /** Removes rejected orders from the list once the staff has dealt with them. */
  dismissRejected(ids: readonly number[]): Promise<QueueStatus> {
    return this.#ask<QueueStatus>({ type: SW_MESSAGES.DISMISS_REJECTED, ids: [...ids] });
  }

  /**
   * Sends one rejected order again with its own `Idempotency-Key` (safe against doubles: a
   * backend that already booked it answers its first answer).
   */
  retryRejected(id: number): Promise<RetryResult> {
    return this.#ask<RetryResult>({ type: SW_MESSAGES.RETRY_REJECTED, id });
  }

  /** Tells the worker the page is online again, so it replays (no Background Sync in Safari/Firefox). */
  notifyOnline(): void {
    this.#ask({ type: SW_MESSAGES.ONLINE }).catch(() => {
      // The worker replays again on the next trigger; nothing to report here.
    });
  }

  /** Calls `listener` with the queue's counts each time the worker says they changed. */
  onQueueChange(listener: QueueListener): () => void {
    return this.#listeners.on('queue', listener);
  }

  /** Deletes the origin's caches (all, or those `filter` accepts). */
  async clearCaches(filter: (name: string) => boolean = () => true): Promise<void> {
    const caches = this.#options.caches ?? globalThis.caches;
    if (!caches) return;
    const names = (await caches.keys()).filter(filter);
    await Promise.all(names.map((name) => caches.delete(name)));
  }

  /** Bytes the origin uses (caches, IndexedDB…), from `navigator.storage.estimate()`; 0 if unknown. */
  async getCacheSize(): Promise<number> {
    const storage = this.#navigator()?.storage;
    if (!storage?.estimate) return 0;
    const { usage } = await storage.estimate();
    return usage ?? 0;
  }

  /** Removes every listener; the registration itself stays (the worker keeps working). */
  dispose(): void {
    this.#subs.dispose();
    this.#listeners.clear();
  }

  async #ask<T>(message: object): Promise<T> {
    const registration = this.#registration;
    if (!registration) throw new KitchenSyncError('not_started', 'register() first');
    const worker = registration.active ?? (await this.#ready())?.active;
    if (!worker) throw new KitchenSyncError('not_started', 'no active service worker');
    return messageWorker<T>(worker, message, this.#timeoutMs, this.#timers);
  }

  #ready(): Promise<ServiceWorkerRegistration | undefined> {
    const container = this.#container();
    if (!container) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = this.#timers.setTimeout(() => resolve(undefined), this.#timeoutMs);
      void container.ready.then((registration) => {
        this.#timers.clearTimeout(timer);
        resolve(registration);
      });
    });
  }

  #onMessage(event: MessageEvent): void {
    const data = event.data as { type?: unknown; summary?: QueueSummary } | null;
    if (!data || data.type !== SW_MESSAGES.QUEUE_CHANGED || !data.summary) return;
    this.#queueVersion++;
    this.#setQueue({ pending: data.summary.pending, rejected: data.summary.rejected });
  }

  async #loadQueue(): Promise<void> {
    const version = this.#queueVersion;
    let status: QueueStatus;
    try {
      status = await this.queueStatus();
    } catch {
      // No active worker yet (first install): it announces the queue when it changes.
      return;
    }
    if (version !== this.#queueVersion) return;
    this.#setQueue({ pending: status.pending.length, rejected: status.rejected.length });
  }

  #setQueue(summary: QueueSummary): void {
    this.#queue.set(summary);
    this.#listeners.emit('queue', summary);
  }

  #refresh(): void {
    const r = this.#registration;
    this.#status.update((s) => ({
      ...s,
      registered: r !== undefined,
      active: Boolean(r?.active),
      waiting: Boolean(r?.waiting),
      installing: Boolean(r?.installing),
      updateAvailable: Boolean(r?.waiting && r.active),
    }));
  }

  #navigator(): Navigator | undefined {
    return this.#options.navigator ?? (globalThis as { navigator?: Navigator }).navigator;
  }

  #window(): Pick<Window, 'addEventListener' | 'removeEventListener'> | undefined {
    return this.#options.window ?? (globalThis as { window?: Window }).window;
  }

  #container(): ServiceWorkerContainer | undefined {
    return this.#navigator()?.serviceWorker;
  }
}

export function createServiceWorkerManager(
  options: ServiceWorkerManagerOptions = {},
): ServiceWorkerManager {
  return new ServiceWorkerManager(options);
}

function toError(code: string, error: unknown): KitchenSyncError {
  if (error instanceof KitchenSyncError) return error;
  return new KitchenSyncError(code, error instanceof Error ? error.message : String(error));
}
