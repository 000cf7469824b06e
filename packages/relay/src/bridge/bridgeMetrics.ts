import { Counter, Gauge, type Registry } from 'prom-client';
import type { DownlinkHealth } from './downlink.js';
import type { Uplink } from './uplink.js';

/** The uplink's gauges, and the downlink's when `downlink` gives its health, read at scrape
 * time; returns the upload counter. */
export function registerBridgeMetrics(
  registry: Registry,
  uplink: Uplink,
  downlink: () => DownlinkHealth | null = () => null,
  /** A node of a PostgreSQL cluster: whether it is the one running the bridge. */
  holds?: () => boolean,
): Counter {
  if (holds) {
    new Gauge({
      name: 'kitchen_sync_bridge_holder',
      help: "1 on the cluster node running the bridge (its other bridge gauges are the holder's on every node)",
      registers: [registry],
      collect() {
        this.set(holds() ? 1 : 0);
      },
    });
  }
  const states = ['starting', 'uploading', 'synced', 'backoff', 'stopped', 'error'] as const;
  new Gauge({
    name: 'kitchen_sync_bridge_pending_events',
    help: 'Events in the log central has not confirmed',
    registers: [registry],
    collect() {
      this.set(uplink.health().pendingEvents);
    },
  });
  new Gauge({
    name: 'kitchen_sync_bridge_lag_seconds',
    help: 'Age of the oldest event central has not confirmed',
    registers: [registry],
    collect() {
      this.set(uplink.health().lagSeconds);
    },
  });
  new Gauge({
    name: 'kitchen_sync_bridge_last_success_timestamp_seconds',
    help: 'When central last confirmed an upload (0 = never)',
    registers: [registry],
    collect() {
      const at = uplink.health().lastSuccessAt;
      this.set(at ? Date.parse(at) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'kitchen_sync_bridge_state',
    help: 'The uplink state (1 for the current one)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const current = uplink.health().state;
      for (const state of states) this.set({ state }, state === current ? 1 : 0);
    },
  });
  const downlinkStates = ['starting', 'synced', 'backoff', 'stopped'] as const;
  new Gauge({
    name: 'kitchen_sync_bridge_downlink_state',
    help: "The downlink's state (1 for the current one; backoff = its polls fail)",
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const current = downlink()?.downlinkState;
      if (current === undefined) return;
      for (const state of downlinkStates) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kitchen_sync_bridge_downlink_last_success_timestamp_seconds',
    help: "When a poll of central's downlink last succeeded (0 = never)",
    registers: [registry],
    collect() {
      const at = downlink()?.downlinkLastSuccessAt;
      this.set(at ? Date.parse(at) / 1000 : 0);
    },
  });
  return new Counter({
    name: 'kitchen_sync_bridge_uploaded_events_total',
    help: 'Events central confirmed (a re-sent batch counts again)',
    registers: [registry],
  });
}
