export type { ClientErrorCode } from './errors.js';
export { KitchenSyncError } from './errors.js';
export type { BackoffOptions } from './lib/backoff.js';
export { Backoff } from './lib/backoff.js';
export type { EnvironmentOptions, Timers } from './lib/environment.js';
export type { Readable, StartStop, Subscriber, Unsubscriber, Writable } from './store.js';
export { readable, readonly, writable } from './store.js';
