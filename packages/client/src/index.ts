export type { ClientErrorCode } from './errors.js';
export { KitchenSyncError } from './errors.js';
export { defaultNotify, defaultPlaySound, requestNotificationPermission } from './feed/alerts.js';
export type { FeedOutbox, KitchenFeed, KitchenFeedOptions } from './feed/kitchenFeed.js';
export { createKitchenFeed } from './feed/kitchenFeed.js';
export type { AlertSettings, KitchenOrder } from './feed/types.js';
export type { BackoffOptions } from './lib/backoff.js';
export { Backoff } from './lib/backoff.js';
export type { EnvironmentOptions, Timers } from './lib/environment.js';
export type {
  BackgroundRefreshOptions,
  MasterDataService,
  MasterDataServiceOptions,
} from './master-data/masterDataService.js';
export { createMasterDataService } from './master-data/masterDataService.js';
export type { RetryOptions } from './master-data/pageFetcher.js';
export type {
  Category,
  Collection as MasterDataCollection,
  ItemId,
  MasterDataItem,
  MasterDataState,
  MasterDataStatus,
  MasterDataVersions,
  Product,
  Promotion,
  SyncResult,
} from './master-data/types.js';
export type {
  NetworkMonitor,
  NetworkMonitorOptions,
  NetworkState,
} from './network/networkMonitor.js';
export { createNetworkMonitor } from './network/networkMonitor.js';
export type {
  OrderOutbox,
  OrderOutboxOptions,
  OutboxChannel,
  OutboxEvents,
  OutboxLocks,
} from './outbox/orderOutbox.js';
export { createOrderOutbox } from './outbox/orderOutbox.js';
export type { OutboxEntry, OutboxFailure, RejectedEntry } from './outbox/types.js';
export type {
  OutletSettings,
  OutletSettingsOptions,
  OutletSettingsResponse,
  SettingsStorage,
} from './settings/outletSettings.js';
export {
  loadOutletSettings,
  parseOutletSettings,
  socketOptionsFromSettings,
} from './settings/outletSettings.js';
export type { WebSocketFactory, WebSocketLike } from './socket/centralTransport.js';
export type { IoFactory, RelaySocket, RelaySocketOptions } from './socket/localTransport.js';
export type { PollingOptions } from './socket/pollingTransport.js';
export type { SocketServiceOptions } from './socket/socketService.js';
export { createSocketService } from './socket/socketService.js';
export type { TokenSource } from './socket/transport.js';
export type {
  ConnectionMode,
  Cursor,
  CursorSource,
  EventSource,
  RequestAck,
  RequestOptions,
  SocketEventMap,
  SocketListener,
  SocketListenerType,
  SocketService,
  SocketStatus,
} from './socket/types.js';
export type { Readable, StartStop, Subscriber, Unsubscriber, Writable } from './store.js';
export { readable, readonly, writable } from './store.js';
