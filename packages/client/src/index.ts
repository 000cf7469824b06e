export type {
  ClientErrorCode,
  OutboxFailureCode,
  RelayProblemCode,
  SocketError,
  SocketErrorCode,
} from './errors.js';
export { KitchenSyncError } from './errors.js';
export { uuidv7 } from './ids/uuidv7.js';
export type { BackoffOptions } from './lib/backoff.js';
export { Backoff } from './lib/backoff.js';
export type { EnvironmentOptions, Timers } from './lib/environment.js';
export type {
  NetworkMonitor,
  NetworkMonitorOptions,
  NetworkState,
} from './network/networkMonitor.js';
export { createNetworkMonitor } from './network/networkMonitor.js';
export type {
  OutletSettings,
  OutletSettingsOptions,
  OutletSettingsResponse,
  SettingsStorage,
  WebsocketUrlKind,
} from './settings/outletSettings.js';
export {
  loadOutletSettings,
  parseOutletSettings,
  socketOptionsFromSettings,
} from './settings/outletSettings.js';
export type { WebSocketFactory, WebSocketLike } from './socket/centralTransport.js';
export type {
  LocalNetworkState,
  PermissionStatusLike,
  PermissionsLike,
} from './socket/localNetworkAccess.js';
export type { IoFactory, RelaySocket, RelaySocketOptions } from './socket/localTransport.js';
export type { PollingOptions } from './socket/pollingTransport.js';
export type { SocketServiceOptions } from './socket/socketService.js';
export { createSocketService } from './socket/socketService.js';
export type { StringSource, TokenSource } from './socket/transport.js';
export type {
  CentralCursor,
  CentralCursorSource,
  CentralReset,
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
