import { performance } from 'node:perf_hooks';
import type { EventEnvelope, Order, PublishAck } from '@kitchen-sync/protocol';
import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import type { Socket } from 'socket.io-client';
import { makeBenchOrder } from './benchOrder.js';
import { closeAll, connectAll } from './clients.js';
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
  /** How long to wait after the last send for outstanding acks and deliveries. */
  drainTimeoutMs: number;
  ackTimeoutMs: number;
}

export interface PhaseResult {
  offered_rate: number;
  duration_s: number;
  sent: number;
  acked: number;
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
  deliveries_per_s: number;
  relay_rss_mb_max: number;
  relay_cpu_percent: number;
  relay_cpu_ms_per_1k_orders: number;
  generator_cpu_percent: number;
  generator_send_lag_ms: LatencySummary;
}

/** Everything one phase records; kitchens write into it through their `event` listener. */
interface PhaseState {
  index: Map<string, number>;
  intended: Float64Array;
  received: Uint8Array[];
  receivedCount: Int32Array;
  lastSeq: Float64Array;
  deliver: Samples;
  duplicates: number;
  outOfOrder: number;
  lastDeliveryAt: number;
}

const RSS_SAMPLE_MS = 250;
const DRAIN_POLL_MS = 10;

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
    private readonly pos: Socket[],
    private readonly kitchens: Socket[],
  ) {
    kitchens.forEach((socket, k) => {
      socket.on(SOCKET_EVENTS.EVENT, (event: EventEnvelope) => this.onKitchenEvent(k, event));
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
    const kitchens = await connectAll(relay.url, kitchenSpecs);
    try {
      const pos = await connectAll(relay.url, posSpecs);
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
    // Built before the clock starts so the schedule pays only for the emit itself.
    const orders: Order[] = Array.from({ length: total }, (_, i) =>
      makeBenchOrder(i, this.shape.outletId, this.shape.tenantId),
    );
    const state: PhaseState = {
      index: new Map(orders.map((order, i) => [order.order_id, i])),
      intended: new Float64Array(total),
      received: this.kitchens.map(() => new Uint8Array(total)),
      receivedCount: new Int32Array(this.kitchens.length),
      lastSeq: new Float64Array(this.kitchens.length),
      deliver: new Samples(total * this.kitchens.length),
      duplicates: 0,
      outOfOrder: 0,
      lastDeliveryAt: 0,
    };
    const ackOk = new Uint8Array(total);
    const ackLatency = new Samples(total);
    const sendLag = new Samples(total);
    const failures: Record<string, number> = {};
    let settled = 0;
    let acked = 0;
    let lastAckAt = 0;

    const cpuBefore = this.relay.cpuMs();
    const generatorCpuBefore = process.cpuUsage();
    let rssMax = this.relay.rssBytes();
    const rssTimer = setInterval(() => {
      rssMax = Math.max(rssMax, this.relay.rssBytes());
    }, RSS_SAMPLE_MS);

    const intervalMs = 1000 / options.rate;
    const start = performance.now() + 20;
    for (let i = 0; i < total; i++) state.intended[i] = start + i * intervalMs;
    this.phase = state;

    const send = (i: number) => {
      const pos = this.pos[i % this.pos.length]!;
      sendLag.push(performance.now() - state.intended[i]!);
      pos
        .timeout(options.ackTimeoutMs)
        .emit(SOCKET_EVENTS.PUBLISH, orders[i], (error: Error | null, ack: PublishAck) => {
          const now = performance.now();
          settled++;
          if (error) {
            failures.ack_timeout = (failures.ack_timeout ?? 0) + 1;
          } else if (ack.ok) {
            ackOk[i] = 1;
            acked++;
            lastAckAt = now;
            ackLatency.push(now - state.intended[i]!);
          } else {
            failures[ack.error.code] = (failures[ack.error.code] ?? 0) + 1;
          }
        });
    };

    await new Promise<void>((resolve) => {
      let next = 0;
      const tick = () => {
        const now = performance.now();
        while (next < total && state.intended[next]! <= now) send(next++);
        if (next >= total) return resolve();
        setTimeout(tick, Math.max(0, state.intended[next]! - performance.now()));
      };
      setTimeout(tick, Math.max(0, start - performance.now()));
    });

    const drainDeadline = performance.now() + options.drainTimeoutMs;
    const drained = () => settled === total && state.receivedCount.every((count) => count >= acked);
    while (!drained() && performance.now() < drainDeadline) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    this.phase = null;
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
      deliveries_per_s: perSecond(received, state.lastDeliveryAt),
      relay_rss_mb_max: toMb(rssMax),
      relay_cpu_percent: Math.round((relayCpuMs / wallMs) * 100),
      relay_cpu_ms_per_1k_orders: Math.round((relayCpuMs / Math.max(1, acked)) * 1000),
      generator_cpu_percent: Math.round(
        ((generatorCpu.user + generatorCpu.system) / 1000 / wallMs) * 100,
      ),
      generator_send_lag_ms: sendLag.summary(),
    };
  }

  private onKitchenEvent(k: number, event: EventEnvelope): void {
    const state = this.phase;
    if (!state || typeof event.order_id !== 'string') return;
    const i = state.index.get(event.order_id);
    if (i === undefined) return;
    const now = performance.now();
    const seen = state.received[k]!;
    if (seen[i]) {
      state.duplicates++;
      return;
    }
    seen[i] = 1;
    state.receivedCount[k]!++;
    if (typeof event.seq === 'number') {
      if (event.seq <= state.lastSeq[k]!) state.outOfOrder++;
      state.lastSeq[k] = event.seq;
    }
    state.deliver.push(now - state.intended[i]!);
    state.lastDeliveryAt = now;
  }
}
