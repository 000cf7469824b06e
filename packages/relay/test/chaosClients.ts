import type {
  CaughtUpMessage,
  EventEnvelope,
  Order,
  PublishAck,
  SnapshotMessage,
} from '@kitchen-sync/protocol';
import { io, type Socket } from 'socket.io-client';

/** Where a client connects next: the cluster's nodes as a balancer would hand them out. */
export interface NodeList {
  /** The node's current URL, or null while it is down. */
  url(index: number): string | null;
  readonly size: number;
}

/** What a client does when its node goes away: wait a little, then the next node. */
const RECONNECT_MS = 50;

/**
 * A socket that moves to the next node whenever its own refuses it or goes away, as a client
 * behind a load balancer does, resuming by cursor (`since` + `epoch`).
 */
abstract class RoamingClient {
  protected socket: Socket | undefined;
  protected since: number | undefined;
  protected epoch: string | undefined;
  private node: number;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  connections = 0;

  constructor(
    protected readonly nodes: NodeList,
    protected readonly token: string,
    firstNode: number,
  ) {
    this.node = firstNode % nodes.size;
  }

  start(): void {
    if (this.closed) return;
    const url = this.nodes.url(this.node);
    if (!url) {
      this.moveOn();
      return;
    }
    const socket = io(url, {
      auth: {
        token: this.token,
        ...(this.since !== undefined ? { since: this.since } : {}),
        ...(this.epoch ? { epoch: this.epoch } : {}),
      },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 3_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.connections += 1;
    });
    socket.on('connect_error', () => this.moveOn());
    socket.on('disconnect', () => this.moveOn());
    this.listen(socket);
  }

  protected abstract listen(socket: Socket): void;

  protected moveOn(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
    this.gone();
    if (this.closed || this.timer) return;
    this.node = (this.node + 1) % this.nodes.size;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, RECONNECT_MS);
  }

  protected gone(): void {}

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
  }
}

/** A kitchen screen that records every order event it gets and what was wrong with it. */
export class ChaosKitchen extends RoamingClient {
  /** order_id → how many times its `new_order` arrived. */
  readonly received = new Map<string, number>();
  readonly problems: string[] = [];
  private lastSeq = 0;

  constructor(
    nodes: NodeList,
    token: string,
    firstNode: number,
    readonly name: string,
    /** Tenants it may see; null = every tenant of the outlet. */
    readonly tenants: string[] | null,
  ) {
    super(nodes, token, firstNode);
  }

  protected listen(socket: Socket): void {
    socket.on('sync:snapshot', (snapshot: SnapshotMessage) => {
      // Only the very first connection (no cursor yet) may get one; later ones resume.
      if (this.since !== undefined) this.problems.push(`snapshot after cursor ${this.since}`);
      for (const o of snapshot.orders) this.count(o.order_id as string, String(o.tenant_id));
      this.since = snapshot.seq;
      this.epoch = snapshot.epoch;
      this.lastSeq = snapshot.seq;
    });
    socket.on('sync:caught_up', (caughtUp: CaughtUpMessage) => {
      if (this.epoch && caughtUp.epoch !== this.epoch) this.problems.push('epoch changed');
      this.epoch = caughtUp.epoch;
      this.since = Math.max(this.since ?? 0, caughtUp.seq);
    });
    socket.on('event', (event: EventEnvelope) => {
      if (event.seq === null) return;
      if (event.seq <= this.lastSeq) {
        this.problems.push(`seq ${event.seq} after ${this.lastSeq}`);
      }
      this.lastSeq = Math.max(this.lastSeq, event.seq);
      this.since = this.lastSeq;
      if (event.type === 'new_order') {
        this.count(event.order_id as string, String(event.tenant_id));
      }
    });
  }

  private count(orderId: string, tenant: string) {
    if (this.tenants && !this.tenants.includes(tenant)) {
      this.problems.push(`foreign order ${orderId} of tenant ${tenant}`);
    }
    this.received.set(orderId, (this.received.get(orderId) ?? 0) + 1);
  }
}

export interface AckedOrder {
  orderId: string;
  tenant: string;
  seq: number;
}

/**
 * A till that publishes its orders one after the other; an order without an answer (its node
 * died, the store was away) is sent again, same order_id, to whichever node it reaches next.
 */
export class ChaosPos extends RoamingClient {
  readonly acked: AckedOrder[] = [];
  readonly problems: string[] = [];
  private queue: Order[];
  private inFlight = false;
  private done: (() => void) | undefined;
  readonly finished: Promise<void>;

  constructor(
    nodes: NodeList,
    token: string,
    firstNode: number,
    orders: Order[],
    /** Pause after each acked order: spreads the run over the chaos schedule. */
    private readonly paceMs: number,
  ) {
    super(nodes, token, firstNode);
    this.queue = [...orders];
    this.finished = new Promise((resolve) => {
      this.done = resolve;
    });
    if (this.queue.length === 0) this.done?.();
  }

  protected listen(socket: Socket): void {
    socket.on('sync:caught_up', () => this.next());
  }

  protected override gone(): void {
    this.inFlight = false;
  }

  private next(): void {
    const socket = this.socket;
    const order = this.queue[0];
    if (!socket || !order || this.inFlight) return;
    this.inFlight = true;
    socket
      .timeout(3_000)
      .emitWithAck('order:publish', order)
      .then(
        (ack: PublishAck) => {
          if (socket !== this.socket) return;
          this.inFlight = false;
          if (ack.ok) {
            this.acked.push({
              orderId: order.order_id,
              tenant: String(order.tenant_id),
              seq: ack.seq,
            });
            this.queue.shift();
            if (this.queue.length === 0) this.done?.();
            else setTimeout(() => this.next(), this.paceMs);
            return;
          }
          // Refused (the store away: unavailable/internal): the same order again, shortly.
          setTimeout(() => this.next(), RECONNECT_MS);
        },
        () => {
          // No answer: the node is going away; the order goes again from the next node.
          if (socket === this.socket) this.moveOn();
        },
      );
  }
}
