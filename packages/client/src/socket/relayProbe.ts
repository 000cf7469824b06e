import type { Environment } from '../lib/environment.js';

export interface RelayProbeOptions {
  /** Relay base URL without a trailing slash (the socket service strips it); `GET {url}/health`. */
  url: string;
  /** Mean time between probes while the relay is unreachable (jittered ±50 %). Default 1 s. */
  intervalMs?: number;
  /** A probe without an answer in this long counts as unreachable. Default 2 s. */
  timeoutMs?: number;
  /** The relay answers again after at least one probe found it unreachable. */
  onBack: () => void;
  /**
   * The relay answered that it serves HTTPS only (`426 https_required`): this device was given
   * its `http://` address. The probe stops; retrying the same address cannot help.
   */
  onHttpsOnly?: () => void;
}

export interface RelayProbe {
  /** Starts probing (no-op while running). */
  start(): void;
  stop(): void;
  readonly running: boolean;
}

/**
 * Tells quickly when a relay that went away is back, without hammering it while it is down.
 * Reconnect backoff grows to 30 s so a relay that answers but refuses is not flooded with
 * socket handshakes; after a long outage that would leave screens up to 30 s behind. A probe
 * is one small unauthenticated GET (`/health`, never rate-limited), and against a relay that
 * is down it costs a refused TCP connection. The probe stops at the first answer: when it
 * had failed before, `onBack` lets the transports retry at once; when it had not, the relay
 * is reachable and the transports' own backoff decides.
 */
export function createRelayProbe(env: Environment, options: RelayProbeOptions): RelayProbe {
  const url = `${options.url}/health`;
  const interval = options.intervalMs ?? 1_000;
  const timeout = options.timeoutMs ?? 2_000;
  let running = false;
  let failed = false;
  let timer: unknown = null;
  let controller: AbortController | null = null;
  // Bumped by stop(): a probe still in flight from an earlier run must not act.
  let run = 0;

  const schedule = (): void => {
    const delay = Math.round(interval * (0.5 + env.random()));
    timer = env.timers.setTimeout(() => {
      timer = null;
      void probe();
    }, delay);
  };

  const probe = async (): Promise<void> => {
    const mine = run;
    const abort = new AbortController();
    controller = abort;
    const abortTimer = env.timers.setTimeout(() => abort.abort(), timeout);
    let answered = false;
    let httpsOnly = false;
    try {
      // Any HTTP answer, even an error status, means the relay's host and port are back.
      const response = await env.fetch(url, { signal: abort.signal, cache: 'no-store' });
      answered = true;
      // 426 is the protocol's https_required, and only that (one status per code).
      httpsOnly = response.status === 426;
    } catch {
      // Refused, reset or timed out: still away.
    } finally {
      env.timers.clearTimeout(abortTimer);
      controller = null;
    }
    if (!running || mine !== run) return;
    if (!answered) {
      failed = true;
      schedule();
      return;
    }
    const wasAway = failed;
    running = false;
    failed = false;
    if (httpsOnly) options.onHttpsOnly?.();
    else if (wasAway) options.onBack();
  };

  return {
    start() {
      if (running) return;
      running = true;
      failed = false;
      schedule();
    },
    stop() {
      running = false;
      run++;
      env.timers.clearTimeout(timer);
      timer = null;
      controller?.abort();
    },
    get running() {
      return running;
    },
  };
}
