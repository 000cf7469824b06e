import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { EventEnvelope, Order, PublishAck } from '@kitchen-sync/protocol';
import { EVENT_TYPES, SOCKET_EVENTS } from '@kitchen-sync/protocol';
import { makeBenchOrder } from './benchOrder.js';
import type { BenchSocket } from './benchSocket.js';
import { closeAll, connectAll } from './clients.js';
import { parseEventFrame, readEventFields } from './eventFrame.js';
import { openPacer } from './pacer.js';
import { toMb } from './procStats.js';
import type { RelayProcess } from './relayProcess.js';
import { type LatencySummary, Samples } from './stats.js';
import { mintToken } from './tokens.js';

export interface FleetShape {
  posCount: number;
  kitchenCount: number;
  outletId: number;
  tenantId: number;
}

export interface PhaseOptions {
  /** Offered rate, orders/s, spread over the POS sockets round-robin. */
  rate: number;
  durationMs: number;
  /**
   * After the last send, outstanding acks and deliveries are awaited while they keep
   * coming: until none arrives for `drainStallMs`, or `drainMaxMs` in all. What is still
   * missing then counts as lost, so a slow backlog is latency, not loss.
   */
  drainStallMs: number;
  drainMaxMs: number;
  /**
   * Latency samples go here instead of into fresh buffers, so several short phases can be
   * summarized as one (see interleavedSteady.ts); the phase's summaries then cover them all.
   */
  samples?: PhaseSamples;
}

/** Where a phase records its latencies (ms from each order's scheduled send). */
export interface PhaseSamples {
  deliver: Samples;
  ack: Samples;
  sendLag: Samples;
}

export interface PhaseResult {
  offered_rate: number;
  duration_s: number;
  /** Time from the last scheduled send until everything arrived (or the drain gave up). */
  drain_s: number;
  sent: number;
  acked: number;
  /** Refusals by error code, and `no_ack`: publishes still unanswered when the drain ended. */
  ack_failures: Record<string, number>;
  achieved_rate: number;
  publish_to_ack_ms: LatencySummary;
  publish_to_kitchen_ms: LatencySummary;
  deliveries_expected: number;
  deliveries_received: number;
  lost: number;
  worst_kitchen_lost: number;
  duplicates: number;
  out_of_order: number;
  /** Envelopes (checked in full on kitchen 0) that do not match the order that was sent. */
  envelope_errors: number;
  deliveries_per_s: number;
  relay_rss_mb_max: number;
  relay_cpu_percent: number;
  relay_cpu_ms_per_1k_orders: number;
  /** 1-minute load average when the phase started: other work shares the two cores. */
  loadavg: number;
  generator_cpu_percent: number;
  generator_send_lag_ms: LatencySummary;
}

/** Everything one phase records; kitchens write into it through their `event` listener. */
interface PhaseState {
  index: Map<string, number>;
  intended: Float64Array;
  received: Uint8Array[];
  receivedCount: Int32Array;
  receivedTotal: number;
  lastSeq: Float64Array;
  deliver: Samples;
  duplicates: number;
  outOfOrder: number;
  envelopeErrors: number;
  orders: Order[];
  lastDeliveryAt: number;
}

const RSS_SAMPLE_MS = 250;
const DRAIN_POLL_MS = 10;
const GC_SETTLE_MS = 300;

/**
 * What a phase built before its clock starts (5,000–16,000 orders, their JSON, the index) is
 * collected and promoted here, not by the generator's first collections inside the measured
 * window: those were 4–10 ms pauses of every kitchen's receive time. The settle lets the
 * heap's follow-up work (a second, smaller major GC came ~20–300 ms later) happen before the
 * clock too. `pnpm bench` runs Node with --expose-gc; without it this only settles.
 */
async function collectGarbage(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, GC_SETTLE_MS));
}

/**
 * Open-loop load generator: each order has a scheduled send time (start + i / rate) and is
 * sent then whether or not earlier acks came back, and every latency is measured from that
 * scheduled time, so a stalled relay (or a stalled generator) shows up as latency instead
 * of silently lowering the offered load (no coordinated omission).
 */
export class LoadGenerator {
  private phase: PhaseState | null = null;

  private constructor(
    private readonly relay: RelayProcess,
    private readonly shape: FleetShape,
    private readonly pos: BenchSocket[],
    private readonly kitchens: BenchSocket[],
  ) {
    kitchens.forEach((socket, k) => {
      socket.onEvent = (frame) => this.onKitchenEvent(k, frame);
    });
  }

  static async open(
    relay: RelayProcess,
    secret: string,
    shape: FleetShape,
  ): Promise<LoadGenerator> {
    const outlet = shape.outletId;
    const posSpecs = await Promise.all(
      Array.from({ length: shape.posCount }, async (_, i) => ({
        // POS sockets get every event of the outlet too, and ignore them.
        clientId: `bench-pos-${i}`,
        token: await mintToken(secret, { sub: `bench-pos-${i}`, role: 'pos', outlet }),
      })),
    );
    const kitchenSpecs = await Promise.all(
      Array.from({ length: shape.kitchenCount }, async (_, i) => ({
        clientId: `bench-kitchen-${i}`,
        token: await mintToken(secret, {
          sub: `bench-kitchen-${i}`,
          role: 'kitchen',
          outlet,
          tenants: [shape.tenantId],
        }),
      })),
    );
    const ca = relay.caPem ? { ca: relay.caPem } : {};
    const kitchens = await connectAll(
      relay.url,
      kitchenSpecs.map((spec) => ({ ...spec, ...ca })),
    );
    try {
      const pos = await connectAll(
        relay.url,
        posSpecs.map((spec) => ({ ...spec, ...ca })),
      );
      return new LoadGenerator(relay, shape, pos, kitchens);
    } catch (error) {
      closeAll(kitchens);
      throw error;
    }
  }

  close(): void {
    closeAll(this.pos);
    closeAll(this.kitchens);
  }

  async runPhase(options: PhaseOptions): Promise<PhaseResult> {
    const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
    // Built and encoded before the clock starts so the schedule pays only for the send.
    const orders: Order[] = Array.from({ length: total }, (_, i) =>
      makeBenchOrder(i, this.shape.outletId, this.shape.tenantId),
    );
    const encoded = orders.map((order) => JSON.stringify(order));
    const state: PhaseState = {
      index: new Map(orders.map((order, i) => [order.order_id, i])),
      intended: new Float64Array(total),
      received: this.kitchens.map(() => new Uint8Array(total)),
      receivedCount: new Int32Array(this.kitchens.length),
      receivedTotal: 0,
      lastSeq: new Float64Array(this.kitchens.length),
      deliver: options.samples?.deliver ?? new Samples(total * this.kitchens.length),
      duplicates: 0,
      outOfOrder: 0,
      envelopeErrors: 0,
      orders,
      lastDeliveryAt: 0,
    };
    const ackOk = new Uint8Array(total);
    const ackLatency = options.samples?.ack ?? new Samples(total);
    const sendLag = options.samples?.sendLag ?? new Samples(total);
    const failures: Record<string, number> = {};
    let settled = 0;
    let acked = 0;
    let lastAckAt = 0;

    const loadavgBefore = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const cpuBefore = this.relay.cpuMs();
    const generatorCpuBefore = process.cpuUsage();
    let rssMax = this.relay.rssBytes();
    const rssTimer = setInterval(() => {
      rssMax = Math.max(rssMax, this.relay.rssBytes());
    }, RSS_SAMPLE_MS);

    const pacer = await openPacer();
    await collectGarbage();
    const intervalMs = 1000 / options.rate;
    const start = performance.now() + 20;
    for (let i = 0; i < total; i++) state.intended[i] = start + i * intervalMs;
    this.phase = state;

    const send = (i: number) => {
      const pos = this.pos[i % this.pos.length]!;
      sendLag.push(performance.now() - state.intended[i]!);
      pos.emit(SOCKET_EVENTS.PUBLISH, encoded[i]!, (answer) => {
        const now = performance.now();
        const ack = answer as PublishAck;
        settled++;
        if (ack.ok) {
          ackOk[i] = 1;
          acked++;
          lastAckAt = now;
          ackLatency.push(now - state.intended[i]!);
        } else {
          failures[ack.error.code] = (failures[ack.error.code] ?? 0) + 1;
        }
      });
    };

    let next = 0;
    await pacer.run(start, intervalMs, total, (due) => {
      while (next <= due) send(next++);
    });

    const drainStart = performance.now();
    const drained = () => settled === total && state.receivedCount.every((count) => count >= acked);
    let progress = -1;
    let progressAt = drainStart;
    while (!drained()) {
      const now = performance.now();
      if (settled + state.receivedTotal !== progress) {
        progress = settled + state.receivedTotal;
        progressAt = now;
      }
      if (now - progressAt > options.drainStallMs || now - drainStart > options.drainMaxMs) break;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    this.phase = null;
    if (settled < total) failures.no_ack = total - settled;
    clearInterval(rssTimer);
    const end = performance.now();
    rssMax = Math.max(rssMax, this.relay.rssBytes());
    const relayCpuMs = this.relay.cpuMs() - cpuBefore;
    const generatorCpu = process.cpuUsage(generatorCpuBefore);

    let lost = 0;
    let worstKitchenLost = 0;
    let received = 0;
    for (const kitchen of state.received) {
      let kitchenLost = 0;
      for (let i = 0; i < total; i++) {
        if (kitchen[i]) received++;
        else if (ackOk[i]) kitchenLost++;
      }
      lost += kitchenLost;
      worstKitchenLost = Math.max(worstKitchenLost, kitchenLost);
    }
    const wallMs = end - start;
    const perSecond = (count: number, until: number) =>
      until > start ? Math.round((count * 1000) / (until - start)) : 0;
    return {
      offered_rate: options.rate,
      duration_s: options.durationMs / 1000,
      drain_s: Math.round((end - drainStart) / 100) / 10,
      sent: total,
      acked,
      ack_failures: failures,
      achieved_rate: perSecond(acked, lastAckAt),
      publish_to_ack_ms: ackLatency.summary(),
      publish_to_kitchen_ms: state.deliver.summary(),
      deliveries_expected: acked * this.kitchens.length,
      deliveries_received: received,
      lost,
      worst_kitchen_lost: worstKitchenLost,
      duplicates: state.duplicates,
      out_of_order: state.outOfOrder,
      envelope_errors: state.envelopeErrors,
      deliveries_per_s: perSecond(received, state.lastDeliveryAt),
      relay_rss_mb_max: toMb(rssMax),
      relay_cpu_percent: Math.round((relayCpuMs / wallMs) * 100),
      relay_cpu_ms_per_1k_orders: Math.round((relayCpuMs / Math.max(1, acked)) * 1000),
      loadavg: loadavgBefore,
      generator_cpu_percent: Math.round(
        ((generatorCpu.user + generatorCpu.system) / 1000 / wallMs) * 100,
      ),
      generator_send_lag_ms: sendLag.summary(),
    };
  }

  /** Kitchen 0 parses every envelope in full and checks it; the others read seq and id. */
  private onKitchenEvent(k: number, frame: Buffer): void {
    const now = performance.now();
    const state = this.phase;
    if (!state) return;
    const event = k === 0 ? (parseEventFrame(frame) as EventEnvelope) : readEventFields(frame);
    if (event.type !== EVENT_TYPES.NEW_ORDER || typeof event.order_id !== 'string') return;
    const i = state.index.get(event.order_id);
    if (i === undefined) return;
    if (k === 0 && !matchesOrder(event as EventEnvelope, state.orders[i]!)) {
      state.envelopeErrors++;
    }
    const seen = state.received[k]!;
    if (seen[i]) {
      state.duplicates++;
      return;
    }
    seen[i] = 1;
    state.receivedCount[k]!++;
    state.receivedTotal++;
    if (typeof event.seq === 'number') {
      if (event.seq <= state.lastSeq[k]!) state.outOfOrder++;
      state.lastSeq[k] = event.seq;
    }
    state.deliver.push(now - state.intended[i]!);
    state.lastDeliveryAt = now;
  }
}

/** The envelope of a `new_order` carries the order as sent, now with its status and version. */
function matchesOrder(event: EventEnvelope, sent: Order): boolean {
  const data = event.data as Partial<Order> & { version?: unknown };
  return (
    typeof event.seq === 'number' &&
    typeof event.event_id === 'string' &&
    String(event.outlet_id) === String(sent.outlet_id) &&
    String(event.tenant_id) === String(sent.tenant_id) &&
    data.order_id === sent.order_id &&
    data.status === 'pending' &&
    data.version === 1 &&
    data.total_amount === sent.total_amount &&
    data.items?.length === sent.items.length
  );
}
