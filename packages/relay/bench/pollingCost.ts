import { performance } from 'node:perf_hooks';
import type { EventsResponse, PublishAck } from '@kitchen-sync/protocol';
import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import { makeBenchOrder } from './benchOrder.js';
import type { BenchSocket } from './benchSocket.js';
import { closeAll, connectAll } from './clients.js';
import { toMb } from './procStats.js';
import type { RelayProcess } from './relayProcess.js';
import { Samples } from './stats.js';
import { mintToken } from './tokens.js';

export interface PollingPoint {
  events_in_log: number;
  fill_rate_per_s: number;
  median_ms: number;
  p99_ms: number;
  max_ms: number;
  samples: number;
  events_per_page: number;
  relay_rss_mb: number;
}

export interface PollingOptions {
  sizes: number[];
  samples: number;
  outletId: number;
  tenantId: number;
  fillSockets?: number;
  /** Publishes in flight at once while filling the log. */
  fillWindow?: number;
}

const PAGE = 50;
const WARMUP_REQUESTS = 20;

/**
 * Cost of a caught-up poller's request (`GET /api/events?since=<head-50>&limit=50`) as the
 * retained log grows: filled by concurrent socket publishes, timed as sequential requests.
 */
export async function measurePollingCost(
  relay: RelayProcess,
  secret: string,
  options: PollingOptions,
): Promise<PollingPoint[]> {
  const outlet = options.outletId;
  const specs = await Promise.all(
    Array.from({ length: options.fillSockets ?? 8 }, async (_, i) => ({
      clientId: `bench-fill-${i}`,
      token: await mintToken(secret, { sub: `bench-fill-${i}`, role: 'pos', outlet }),
    })),
  );
  const monitorToken = await mintToken(secret, { sub: 'bench-poller', role: 'monitor', outlet });
  const pos = await connectAll(relay.url, specs);
  try {
    const points: PollingPoint[] = [];
    let inLog = 0;
    let head = 0;
    for (const size of options.sizes) {
      const fillStart = performance.now();
      const filled = await fill(pos, inLog, size - inLog, options);
      const fillSeconds = (performance.now() - fillStart) / 1000;
      head = Math.max(head, filled.head);
      const fillRate = Math.round((size - inLog) / fillSeconds);
      inLog = size;
      points.push({
        ...(await timePolls(relay.url, monitorToken, outlet, head, options.samples)),
        events_in_log: size,
        fill_rate_per_s: fillRate,
        relay_rss_mb: toMb(relay.rssBytes()),
      });
    }
    return points;
  } finally {
    closeAll(pos);
  }
}

async function fill(
  pos: BenchSocket[],
  from: number,
  count: number,
  options: PollingOptions,
): Promise<{ head: number }> {
  let next = 0;
  let head = 0;
  const worker = async (w: number) => {
    const socket = pos[w % pos.length]!;
    while (next < count) {
      const order = makeBenchOrder(from + next++, options.outletId, options.tenantId);
      const ack = (await socket.emitWithAck(SOCKET_EVENTS.PUBLISH, order)) as PublishAck;
      if (!ack.ok) throw new Error(`fill publish refused: ${ack.error.code}`);
      head = Math.max(head, ack.seq);
    }
  };
  await Promise.all(Array.from({ length: options.fillWindow ?? 256 }, (_, w) => worker(w)));
  return { head };
}

async function timePolls(
  baseUrl: string,
  token: string,
  outlet: number,
  head: number,
  samples: number,
): Promise<Omit<PollingPoint, 'events_in_log' | 'fill_rate_per_s' | 'relay_rss_mb'>> {
  const url = `${baseUrl}/api/events?outlet_id=${outlet}&since=${Math.max(0, head - PAGE)}&limit=${PAGE}`;
  const headers = { authorization: `Bearer ${token}` };
  const times = new Samples(samples);
  let eventsPerPage = 0;
  for (let i = 0; i < WARMUP_REQUESTS + samples; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`GET /api/events answered ${response.status}`);
    const body = (await response.json()) as EventsResponse;
    if (i >= WARMUP_REQUESTS) times.push(performance.now() - started);
    eventsPerPage = body.events.length;
  }
  const summary = times.summary();
  return {
    median_ms: summary.p50,
    p99_ms: summary.p99,
    max_ms: summary.max,
    samples: summary.count,
    events_per_page: eventsPerPage,
  };
}
