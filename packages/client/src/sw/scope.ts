/**
 * The parts of `ServiceWorkerGlobalScope` this module uses. The package compiles against the
 * DOM lib (page code lives beside it), which has no service-worker types, so they are spelt
 * out here; `installKitchenSync` takes the scope as an option, `self` by default.
 */
export interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

export interface ExtendableMessageEventLike extends ExtendableEventLike {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}

export interface WindowClientLike {
  postMessage(message: unknown): void;
}

export interface ServiceWorkerScope {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    matchAll(options: {
      type: 'window';
      includeUncontrolled: boolean;
    }): Promise<readonly WindowClientLike[]>;
    claim(): Promise<void>;
  };
  readonly navigator?: {
    locks?: { request<T>(name: string, callback: () => Promise<T>): Promise<T> };
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEventLike) => void): void;
}

export function defaultScope(): ServiceWorkerScope {
  return globalThis as unknown as ServiceWorkerScope;
}
