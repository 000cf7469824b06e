export type { Action } from './auth/permissions.js';
export type { Principal } from './auth/principal.js';
export type { TokenInput, TokenVerifier } from './auth/tokens.js';
export { createTokenVerifier, signToken } from './auth/tokens.js';
export type { ConfigErrorCode } from './lib/configError.js';
export { ConfigError } from './lib/configError.js';
export type { Logger, LoggerOptions } from './logger.js';
export { createLogger } from './logger.js';
export type { CentralOptions, ListenResult, Relay, RelayOptions } from './relay.js';
export { createRelay } from './relay.js';
export type {
  EpochRestart,
  EventStore,
  NewEvent,
  PrunedEvent,
  PrunedOrder,
  RetentionPolicy,
  StoredEvent,
  StoredOrder,
  TenantScope,
} from './store/EventStore.js';
export type { LogReader, LogSnapshot } from './store/LogReader.js';
export { createMemoryEventStore } from './store/memoryEventStore.js';
export type {
  PostgresEventStore,
  PostgresEventStoreOptions,
} from './store/postgres/postgresEventStore.js';
export { createPostgresEventStore } from './store/postgres/postgresEventStore.js';
export type { SqliteEnginePreference } from './store/sqlite/loadSqliteDriver.js';
export type { SqliteEngine } from './store/sqlite/SqliteDriver.js';
export type { SqliteEventStore, SqliteEventStoreOptions } from './store/sqliteEventStore.js';
export { createSqliteEventStore } from './store/sqliteEventStore.js';
export type { UnreadableRow } from './store/unreadableRows.js';
export type {
  IssueReason,
  OutletCertificate,
  OutletCertificateOptions,
  TlsErrorCode,
  TlsErrorDetails,
  TlsMaterial,
} from './tls/index.js';
export {
  assertHostName,
  ensureOutletCertificate,
  lanAddresses,
  loadTlsFiles,
  MAX_LEAF_DAYS,
  TlsError,
} from './tls/index.js';
export type { AppMount } from './transport/appRoutes.js';
export type {
  RelayTlsOptions,
  TlsHealth,
  TlsReloadOutcome,
  TlsSource,
} from './transport/tlsServer.js';
export { RELAY_VERSION } from './version.js';
