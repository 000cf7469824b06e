import type { Socket } from 'node:net';
import type { TLSSocket, Server as TlsServer } from 'node:tls';
import type { TlsHandshakeFailure } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { createRecentTable } from '../lib/recentTable.js';

type Reason = TlsHandshakeFailure['reason'];

const REASONS: readonly Reason[] = [
  'certificate_untrusted',
  'certificate_name_mismatch',
  'certificate_expired',
  'protocol_mismatch',
  'connection_reset',
  'other',
];

/**
 * What a failed handshake says about the device: the alert it sent (a tablet without the
 * outlet CA answers "unknown CA" or "certificate unknown"), or that it hung up mid-way.
 * `nameListed` false: the device asked (SNI) for a name the certificate does not list. Chromium
 * answers that with the same "certificate unknown" as a missing CA, Node clients hang up: a
 * refusal or hang-up is then the name's fault. An expiry or protocol alert still says its own.
 */
export function handshakeFailureReason(error: unknown, nameListed = true): Reason {
  const reason = alertReason(error);
  if (nameListed || reason === 'certificate_expired' || reason === 'protocol_mismatch') {
    return reason;
  }
  return 'certificate_name_mismatch';
}

function alertReason(error: unknown): Reason {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (/UNKNOWN_CA|CERTIFICATE_UNKNOWN|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE/.test(code)) {
    return 'certificate_untrusted';
  }
  if (code.endsWith('CERTIFICATE_EXPIRED')) return 'certificate_expired';
  if (/VERSION|PROTOCOL|NO_SHARED_CIPHER|HANDSHAKE_FAILURE|WRONG_VERSION/.test(code)) {
    return 'protocol_mismatch';
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  return 'other';
}

export interface TlsHandshakeFailures {
  /** `servername`: the name the device asked for (SNI); none when it dialled an IP address. */
  failed(error: unknown, address: string | undefined, servername?: string): void;
  /**
   * A device that completed a handshake for `servername` hung up without a request. When the
   * certificate does not list that name, it checked the name after the handshake (Node, Java
   * clients do) and refused it; else it is nothing to note.
   */
  closedUnused(address: string | undefined, servername: string): void;
  /** The last `recentMs`' failures by address and reason (`/health` `tls_failures`). */
  recent(): TlsHandshakeFailure[];
}

// Scanners may try from many addresses: both tables are capped (recentTable.ts), and
// `/health` shows the newest 50.
const MAX_SHOWN = 50;

/**
 * Failed TLS handshakes, so "no devices" can be told apart from "devices refuse our
 * certificate": counted by reason in `/metrics`, logged once per address per 10 minutes (with
 * how many since), and the last 10 minutes listed for `/health` and `status`.
 */
export function createTlsHandshakeFailures(options: {
  logger: Logger;
  registry: Registry;
  now: () => number;
  /** Monotonic clock (ms) for the throttle. */
  elapsed: () => number;
  /** Whether the certificate served lists a name a device asked for. */
  listsName: (name: string) => boolean;
  logEveryMs?: number;
  recentMs?: number;
}): TlsHandshakeFailures {
  const logEveryMs = options.logEveryMs ?? 600_000;
  const recentMs = options.recentMs ?? 600_000;
  const counter = new Counter({
    name: 'kitchen_sync_tls_handshake_failures_total',
    help: 'TLS handshakes that failed, by reason (certificate_untrusted: the device does not trust the CA; certificate_name_mismatch: it asked for a name the certificate does not list)',
    labelNames: ['reason'],
    registers: [options.registry],
  });
  for (const reason of REASONS) counter.inc({ reason }, 0);
  const entries = createRecentTable<TlsHandshakeFailure>(recentMs);
  // When each address was last logged; `recent()` and the counter carry the repeats.
  const logged = createRecentTable<number>(logEveryMs);

  function note(reason: Reason, address: string, name: string | undefined, cause: unknown) {
    counter.inc({ reason });
    const nowMs = options.elapsed();
    const shown = reason === 'certificate_name_mismatch' ? name : undefined;
    entries.note(`${address} ${reason} ${shown ?? ''}`, nowMs, (known) => ({
      address,
      reason,
      ...(shown ? { name: shown } : {}),
      count: (known?.count ?? 0) + 1,
      last_at: new Date(options.now()).toISOString(),
    }));
    const loggedAt = logged.note(address, nowMs, (known) => known ?? Number.NEGATIVE_INFINITY);
    if (nowMs - loggedAt < logEveryMs) return;
    logged.note(address, nowMs, () => nowMs);
    options.logger.warn(
      { code: 'tls_handshake_failed', reason, address, ...(shown ? { name: shown } : {}), cause },
      logText(reason, shown),
    );
  }

  return {
    failed(error, address = 'unknown', servername) {
      const listed = !servername || options.listsName(servername);
      const cause = (error as { code?: unknown } | null)?.code;
      note(handshakeFailureReason(error, listed), address, servername, cause);
    },
    closedUnused(address = 'unknown', servername) {
      if (options.listsName(servername)) return;
      note('certificate_name_mismatch', address, servername, 'closed_after_handshake');
    },
    recent() {
      return entries.rows(options.elapsed(), MAX_SHOWN);
    },
  };
}

function logText(reason: Reason, name: string | undefined): string {
  if (reason === 'certificate_untrusted') {
    return 'a device refused the relay certificate (it does not trust the outlet CA: open /setup on it)';
  }
  if (reason === 'certificate_name_mismatch') {
    return `a device refused the relay certificate: it asked for ${name}, which the certificate does not list (--tls auto: add --name ${name}; own certificate: issue one that lists it; or give devices a name it lists)`;
  }
  return 'a TLS handshake failed';
}

/**
 * Records the failed handshakes of `server`, with the name each device asked for, and the
 * devices that hang up unused right after a handshake for a name the certificate lacks.
 */
export function watchTlsHandshakes(server: TlsServer, failures: TlsHandshakeFailures): void {
  const asked = (socket: TLSSocket) =>
    typeof socket.servername === 'string' && socket.servername !== ''
      ? socket.servername
      : undefined;
  // A reset socket no longer knows its peer: read it as the TCP connection opens (Node keeps
  // what was read), and reach that socket under the TLS one (Node's `_parent`).
  server.on('connection', (raw: Socket) => void raw.remoteAddress);
  const addressOf = (socket: TLSSocket) =>
    socket.remoteAddress ?? (socket as TLSSocket & { _parent?: Socket })._parent?.remoteAddress;
  server.on('tlsClientError', (error, socket) =>
    failures.failed(error, addressOf(socket), asked(socket)),
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    const name = asked(socket);
    if (!name) return;
    const address = socket.remoteAddress;
    socket.once('close', () => {
      // A TLS socket's bytesRead counts what came after the handshake: any request is use.
      if (socket.bytesRead === 0) failures.closedUnused(address, name);
    });
  });
}
