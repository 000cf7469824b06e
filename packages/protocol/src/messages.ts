import type { Role } from './constants.js';
import type { ErrorBody } from './errors.js';
import type { EventEnvelope } from './schemas/envelope.js';
import type { OrderState } from './schemas/orderState.js';

/** Failure ack of every socket request, and the inner object of every HTTP error. */
export interface FailureAck {
  ok: false;
  error: ErrorBody;
}

export interface PublishResult {
  ok: true;
  seq: number;
  duplicate: boolean;
}

export interface UpdateResult {
  ok: true;
  seq: number;
  version: number;
  duplicate: boolean;
  /**
   * v1.2: the update's `version` was older than the order's last change of status: nothing
   * was logged (`seq` 0, `duplicate: true`), and `order` is the order as it stands.
   */
  stale?: true;
  order?: OrderState;
}

export interface OrderAckResult {
  ok: true;
  seq: number;
  duplicate: boolean;
  /**
   * The relay no longer has this order (its log was wiped, a new epoch began): nothing was
   * logged (`seq` 0), and there is nothing to retry. Drop the ack.
   */
  obsolete?: true;
}

/**
 * The answer to a v1.1 command. `duplicate: true` = nothing was logged: a repeat of the same
 * `event_id` (`seq` is the event's), or an order already as asked (`seq` 0). `stale: true` =
 * the command's `version` was not the current one. Every duplicate answer carries `order` as
 * it stands, so the screen that lost a race shows what won.
 */
export interface KitchenCommandResult {
  ok: true;
  seq: number;
  version: number;
  duplicate: boolean;
  stale?: true;
  order?: OrderState;
}

export interface PingResult {
  ok: true;
  ts: string;
}

export type PublishAck = PublishResult | FailureAck;
export type UpdateAck = UpdateResult | FailureAck;
export type OrderAckAck = OrderAckResult | FailureAck;
export type PingAck = PingResult | FailureAck;
export type KitchenCommandAck = KitchenCommandResult | FailureAck;

/** `sync:snapshot`: the open orders a client may see, and the cursor it resumes from. */
export interface SnapshotMessage {
  orders: OrderState[];
  seq: number;
  epoch: string;
  /** The `event_id` at `seq`: the client's `since_event` there. None at 0 or once pruned. */
  event_id?: string;
}

/** `sync:caught_up`: sent exactly once per connection, after snapshot or backlog. */
export interface CaughtUpMessage {
  seq: number;
  epoch: string;
  /**
   * The `event_id` at `seq`, kept as the client's `since_event` (it may not have applied that
   * event: another tenant's). None at 0, once pruned, and from relays before it.
   */
  event_id?: string;
  /**
   * The relay's clock as it sent this (ISO 8601), so a screen can judge the recall window by
   * it; absent from relays before it and from a poll's caught_up.
   */
  ts?: string;
}

/**
 * `sync:bridge`: how far central is behind the relay's log, for the outlet's screens. Sent at
 * connect and when it changes (at most once a second), only by a relay with an uplink and
 * only to its outlet's clients. `last_success_at` tells since when central is unreachable.
 */
export interface BridgeStatusMessage {
  state: BridgeHealth['state'];
  pending_events: number;
  lag_seconds: number;
  last_success_at: string | null;
  last_error_code: string | null;
}

/** `GET /api/events` answer. */
export interface EventsResponse {
  events: EventEnvelope[];
  last_seq: number;
  /** The `event_id` at `last_seq` (see CaughtUpMessage.event_id). */
  last_event_id?: string;
  epoch: string;
  snapshot?: SnapshotMessage;
}

/** `GET /health` answer. */
export interface HealthResponse {
  /**
   * `draining` (HTTP 503): a cluster node about to exit; a balancer routes elsewhere.
   * `cannot_store` (HTTP 503): the store takes no writes from this relay (PostgreSQL away, a
   * full disk); `storage` and `store_reachable` say why.
   */
  status: 'ok' | 'draining' | 'cannot_store';
  uptime: number;
  connections: number;
  /** `board` is absent from relays before the role. */
  clients: Record<'pos' | 'kitchen' | 'monitor', number> & { board?: number };
  head_seq: number;
  store: 'sqlite' | 'memory' | 'postgres';
  /** The library under the log (absent on relays from before node:sqlite support). */
  store_engine?: 'node:sqlite' | 'better-sqlite3' | 'memory' | 'postgres';
  /** With a store on the network (PostgreSQL): whether this node reached it just now. */
  store_reachable?: boolean;
  /** Whether the last write reached the log; `storage_full` = the disk is full. */
  storage: StorageHealth;
  /**
   * Stored rows the relay could not read since it started (damaged on disk): readers go
   * around them; see docs/relay.md "Recovering a damaged log". Absent when there were none.
   */
  unreadable_rows?: {
    code: 'store_corrupt';
    count: number;
    first: { table: 'events' | 'orders'; outlet: string; key: number | string };
    since: string;
  };
  /**
   * With a log file (`--log-file`): whether it takes the relay's lines. A log file that
   * cannot be written (`log_write_failed`) changes nothing else: `status` stays `ok`.
   */
  log?: LogHealth;
  /**
   * Devices whose token the relay refused in the last 10 minutes (absent when none): why, and
   * how often. The relay's log has a line per device and reason (with its address).
   */
  refused_devices?: RefusedDevice[];
  /**
   * Devices signed in for outlets the log has no event of, while it has other outlets': a
   * kitchen holding another outlet's token looks "Live" and gets none of these orders.
   * Absent otherwise.
   */
  outlets_without_orders?: OutletsWithoutOrders;
  /**
   * The outlets this relay serves (`--outlet`): tokens of any other are refused with
   * `outlet_not_served`. Absent when it serves any outlet its tokens name (the default).
   */
  served_outlets?: string[];
  /**
   * The address the relay listens on (`--host`): `0.0.0.0` or `::` for every interface,
   * `127.0.0.1` for this machine only. Absent on relays before it.
   */
  host?: string;
  /** This machine's clock off by more than a minute, once known (absent otherwise). */
  clock?: ClockHealth;
  version: string;
  timestamp: string;
  /** The relay's certificate (absent on relays older than TLS support). */
  tls?: HealthTls;
  /** TLS handshakes that failed in the last 10 minutes, by address and reason (absent when none). */
  tls_failures?: TlsHandshakeFailure[];
  /** The uplink to central (absent when the relay runs without `--central-url`). */
  bridge?: BridgeHealth;
  /** This node's place in a cluster (absent on a relay that runs alone). */
  cluster?: ClusterHealth;
}

/** `/health`'s `cluster`: see docs/scaling.md. */
export interface ClusterHealth {
  node_id: string;
  /** Nodes heard from over the fan-out in the last few seconds, this one included. */
  nodes_seen: string[];
  role: 'member';
  /** `draining`: the node hands its clients to the others and will exit. */
  draining: boolean;
  fanout: {
    /** `up`: Redis answers; `down`: it does not (events still arrive, from the store);
     * `store_polling`: no Redis configured. */
    state: 'up' | 'down' | 'store_polling';
    /** How long the outlet furthest behind has been behind the store's head (0 = none). */
    lag_ms: number;
  };
  store: { kind: string; reachable: boolean };
  /**
   * Presence (a kitchen connected or disconnected) to the other nodes' clients, through
   * Redis. `up`; `down`: Redis does not answer (hung, refused: `reason` says which, as the
   * fan-out's log does) and presence reaches this node's own clients only; `local`: no Redis.
   */
  presence: { state: 'up' | 'down' | 'local'; reason?: string };
}

/** `/health`'s `bridge`: how far central is behind this relay's log. */
export interface BridgeHealth {
  /**
   * `synced`: nothing left to upload; `backoff`: the last attempt failed, waiting to retry;
   * `error`: the bridge cannot work as configured (`lastErrorCode` says why) and does not retry.
   */
  state: 'starting' | 'uploading' | 'synced' | 'backoff' | 'stopped' | 'error';
  /** Events in the log central has not confirmed. */
  pendingEvents: number;
  /** Age of the oldest event central has not confirmed, in seconds (0 when none). */
  lagSeconds: number;
  lastSuccessAt: string | null;
  /** The last failure's code (`central_unreachable`, `unauthorized`, ...); null after a success. */
  lastErrorCode: string | null;
  /** The downlink's position in central's outlet log; null while there is no downlink. */
  downlinkCursor: number | null;
  /** The downlink's state (`backoff`: its last poll failed); null while there is none. */
  downlinkState: 'starting' | 'synced' | 'backoff' | 'stopped' | null;
  /** When a poll of central's downlink last succeeded. */
  downlinkLastSuccessAt: string | null;
  /** The last failed poll's code (`http_500`, `central_unreachable`, ...); null after a success. */
  downlinkLastErrorCode: string | null;
  /**
   * A node of a PostgreSQL cluster: `holder` runs the bridge, `standby` waits to take it over
   * (its other fields are the holder's, as it last wrote them). Absent on a relay of its own.
   */
  role?: 'holder' | 'standby';
  /** The cluster node running the bridge (its node id); null while none holds it. */
  holder?: string | null;
}

/**
 * `storage_full`: the data disk is full; `storage_readonly`: it (or the data dir) takes no
 * writes; `storage_failed`: it answers writes with an I/O error; `internal`: anything else.
 */
export type StorageHealth =
  | { ok: true }
  | {
      ok: false;
      error: 'storage_full' | 'storage_readonly' | 'storage_failed' | 'internal';
      since: string;
    };

/**
 * Why a device's token was refused: `token_missing`, `token_malformed`, `token_expired`,
 * `invalid_signature` (signed with another secret), `token_not_yet_valid` (the relay's clock
 * is behind), `token_lifetime`, `token_claims_invalid`, `token_too_long`, `outlet_not_served`
 * (a valid token of an outlet the relay's `--outlet` does not list).
 */
export type TokenRefusalReason =
  | 'token_missing'
  | 'token_malformed'
  | 'token_expired'
  | 'invalid_signature'
  | 'token_not_yet_valid'
  | 'token_lifetime'
  | 'token_claims_invalid'
  | 'token_too_long'
  | 'outlet_not_served';

/**
 * `/health`'s `clock`: how far this relay's clock is off, by `central`'s HTTP `Date` header
 * (each bridge request: either way) or a `token`'s issue time (only "behind": a token issued
 * in the future).
 */
export interface ClockHealth {
  /** Seconds this clock is ahead of the reference's; negative: behind. */
  offsetSeconds: number;
  source: 'central' | 'token';
  /** When it was measured, by this relay's clock. */
  measuredAt: string;
}

/**
 * `/health`'s `tls_failures` row. `certificate_untrusted`: the device refused the certificate
 * (it lacks the outlet CA); `certificate_name_mismatch`: it asked for `name`, which the
 * certificate does not list (a renamed relay, a name never given with `--name`);
 * `certificate_expired`; `protocol_mismatch`; `connection_reset`: it hung up during the
 * handshake; `other`.
 */
export interface TlsHandshakeFailure {
  address: string;
  reason:
    | 'certificate_untrusted'
    | 'certificate_name_mismatch'
    | 'certificate_expired'
    | 'protocol_mismatch'
    | 'connection_reset'
    | 'other';
  /** `certificate_name_mismatch` only: the name the device asked for (its TLS SNI). */
  name?: string;
  count: number;
  last_at: string;
}

/** `/health`'s `outlets_without_orders`. */
export interface OutletsWithoutOrders {
  /** The outlets the log has events of. */
  logged: string[];
  /** Per outlet without events: its connected devices by role. */
  connected: Array<{ outlet: string; clients: Partial<Record<Role, number>> }>;
}

/** `/health`'s `refused_devices` row: `client_id` is what the device or its token calls it. */
export interface RefusedDevice {
  client_id: string;
  reason: TokenRefusalReason;
  count: number;
  last_at: string;
}

/** `/health`'s `log`: `cause` is the system's code (ENOSPC, EROFS, EIO, ...). */
export type LogHealth =
  | { ok: true }
  | { ok: false; error: 'log_write_failed'; cause: string; since: string; dropped: number };

/** `/health`'s `tls`: `daysLeft` counts whole days until `notAfter`. */
export type HealthTls =
  | { enabled: false }
  | {
      enabled: true;
      source: 'files' | 'auto';
      /**
       * False once the certificate served has expired (`error: "certificate_expired"`), or
       * the CA it chains to (`error: "ca_expired"`): devices refuse the relay. Absent on
       * relays before it.
       */
      ok?: boolean;
      error?: 'certificate_expired' | 'ca_expired';
      notAfter: string;
      daysLeft: number;
      subjectAltNames: string[];
      /** SHA-256 of the certificate served (the leaf). */
      fingerprint256: string;
      /**
       * SHA-256 of the CA that /setup and /ca.crt hand out (`--tls auto`, or `--tls-ca`):
       * what a person compares with the fingerprint /setup shows before trusting it.
       */
      caFingerprint256?: string;
      /** That CA's subject common name: what a device's certificate settings call it. */
      caName?: string;
      /**
       * When that CA ends, and whole days until then: every certificate under it ends with it,
       * so a new CA must be on every device before then.
       */
      caNotAfter?: string;
      caDaysLeft?: number;
    };

/** `GET /clients` row. */
export interface ConnectedClient {
  id: string;
  client_id: string;
  role: Role;
  outlet: string;
  tenants: string[] | null;
  transport: string;
  address: string;
  connected_at: string;
}
