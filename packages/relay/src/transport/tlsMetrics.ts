import { Counter, Gauge, type Registry } from 'prom-client';
import type { TlsController, TlsReloadOutcome } from './tlsServer.js';

/**
 * The served certificate's expiry as a Unix time (alert on `… - time() < 30 * 86400`, as with
 * the blackbox exporter's `probe_ssl_earliest_cert_expiry`), and renewed files that failed to
 * load. Returns what the relay calls after each reload.
 */
export function registerTlsMetrics(
  registry: Registry,
  tls: TlsController,
): (outcome: TlsReloadOutcome) => void {
  new Gauge({
    name: 'kitchen_sync_tls_certificate_not_after_timestamp_seconds',
    help: 'When the certificate the relay serves expires',
    registers: [registry],
    collect() {
      const health = tls.health();
      if (health.enabled) this.set(Date.parse(health.notAfter) / 1000);
      else this.reset();
    },
  });
  const failures = new Counter({
    name: 'kitchen_sync_tls_reload_failures_total',
    help: 'Certificate reloads that failed (the previous certificate stayed in use)',
    registers: [registry],
  });
  return (outcome) => {
    if (!outcome.ok) failures.inc();
  };
}
