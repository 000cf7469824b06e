import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LogReader } from './store/LogReader.js';

/** Every reason a token is refused for (TokenRefusalReason): each series is there from the start. */
const TOKEN_REFUSAL_REASONS = [
  'token_missing',
  'token_malformed',
  'token_expired',
  'invalid_signature',
  'token_not_yet_valid',
  'token_lifetime',
  'token_claims_invalid',
  'token_too_long',
  'outlet_not_served',
] as const;

export interface RelayMetrics {
  registry: Registry;
  connections: Gauge<'role'>;
  eventsAppended: Counter<'type'>;
  publishLatency: Histogram;
  deviceCapRefusals: Counter<'transport'>;
  commandFailures: Counter<'code'>;
  tokenRefusals: Counter<'reason'>;
}

/** Each relay has its own Registry, so several relays in one process never clash. */
export function createMetrics(reader: LogReader): RelayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    prefix: 'kitchen_sync_relay_',
    // The lag histogram's timer wakes the relay this often even when nothing happens; the
    // default 10 ms was half of an idle relay's CPU (8 → 4 ms/s with 70 clients connected).
    eventLoopMonitoringPrecision: 100,
  });
  const connections = new Gauge({
    name: 'kitchen_sync_connections',
    help: 'Connected Socket.IO clients by role',
    labelNames: ['role'],
    registers: [registry],
  });
  const eventsAppended = new Counter({
    name: 'kitchen_sync_events_appended_total',
    help: 'Events appended to the durable log, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const publishLatency = new Histogram({
    name: 'kitchen_sync_publish_latency_seconds',
    help: 'order:publish from arrival to durable commit',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const deviceCapRefusals = new Counter({
    name: 'kitchen_sync_device_cap_refusals_total',
    help: 'Sockets and long polls refused because their device was at --max-connections-per-device',
    labelNames: ['transport'],
    registers: [registry],
  });
  // Zero from the start: an alert on the rate needs the series before the first refusal.
  for (const transport of ['socket', 'poll']) deviceCapRefusals.inc({ transport }, 0);
  const commandFailures = new Counter({
    name: 'kitchen_sync_command_failures_total',
    help: 'Publishes, updates and kitchen commands the relay could not store, by the code they were answered with (internal: the store failed or is unreachable; storage_full: the disk is full)',
    labelNames: ['code'],
    registers: [registry],
  });
  for (const code of ['internal', 'storage_full']) commandFailures.inc({ code }, 0);
  const tokenRefusals = new Counter({
    name: 'kitchen_sync_token_refusals_total',
    help: 'Socket handshakes and HTTP requests refused for their token, by reason (token_expired, invalid_signature, ...)',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of TOKEN_REFUSAL_REASONS) tokenRefusals.inc({ reason }, 0);
  new Gauge({
    name: 'kitchen_sync_store_events',
    help: 'Events currently retained in the log',
    registers: [registry],
    async collect() {
      // A store on the network may be down: the other metrics still answer.
      try {
        this.set(await reader.countEvents());
      } catch {
        this.reset();
      }
    },
  });
  return {
    registry,
    connections,
    eventsAppended,
    publishLatency,
    deviceCapRefusals,
    commandFailures,
    tokenRefusals,
  };
}
