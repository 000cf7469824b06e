import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import type { Principal } from '../auth/principal.js';
import type { OrderCommands } from '../core/orderCommands.js';
import { type EventStore, PRUNED_ORDER_IDS_KEPT_MS } from '../store/EventStore.js';
import { type BridgeLog, storeBridgeLog } from './bridgeLog.js';
import { CREDENTIAL_REFUSALS } from './centralCredential.js';
import { type CentralLinkOptions, CentralRequestError, createCentralLink } from './centralLink.js';
import type { CentralAnswer, CentralWorker } from './centralWorker.js';

/** Where a central built on the Django package serves the downlink, below `--central-url`. */
export const DOWNLINK_PATH = 'api/kitchen-sync/relay/downlink/';

/** Central's events for the outlet come from `DOWNLINK_PATH` below `centralUrl`. */
export interface DownlinkOptions extends CentralLinkOptions {
  store: EventStore;
  /**
   * The log as the downlink reads it when the store answers only asynchronously (PostgreSQL):
   * its cursor is read again at every start(). Default: the store itself.
   */
  log?: BridgeLog;
  commands: OrderCommands;
  now?: () => number;
  /** How often the relay asks central for new events while connected. Default 1 s. */
  pollMs?: number;
  /** Polls there, off the event loop the kitchens are served from. */
  worker?: CentralWorker | null;
}

/** The downlink's part of /health's `bridge`. */
export interface DownlinkHealth {
  /** `backoff`: the last poll failed (its code in `downlinkLastErrorCode`), retrying. */
  downlinkState: 'starting' | 'synced' | 'backoff' | 'stopped';
  downlinkLastSuccessAt: string | null;
  downlinkLastErrorCode: string | null;
}

export interface Downlink {
  start(): void;
  stop(): void;
  /** Central's seq up to which everything is in this relay's log. */
  cursor(): number;
  health(): DownlinkHealth;
}

class DownlinkError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface CentralEvent {
  seq: number;
  event_id: string;
  type: string;
  order_id?: string;
  /** When central made it (ISO 8601). */
  ts?: string;
  data?: { status?: string } & Record<string, unknown>;
}

// Refusals that will never change on a retry: the event is logged and passed over.
const FINAL_REFUSALS = new Set(['invalid_payload', 'invalid_transition', 'not_found', 'forbidden']);

/**
 * Brings the orders and status changes central makes for the outlet into the relay's log,
 * as publishes and updates with central's event ids: idempotent (a repeat is a duplicate),
 * delivered to kitchens like any publish, and never echoed: the uplink sends them back up
 * under the same event id, which central already has.
 */
export function createDownlink(options: DownlinkOptions): Downlink {
  const { store, commands, outlet, logger } = options;
  const pollMs = options.pollMs ?? 1_000;
  const link = createCentralLink(options, () => void tick());
  const { backoff, schedule } = link;
  const cursorKey = `downlink:${outlet}`;
  // Central's `last_check` for the event at the cursor, sent back so central can tell a
  // restored log whose head passed the cursor again (-1 or none: not known, not sent).
  const checkKey = `downlink-check:${outlet}`;
  // Central's head when the relay began to read its log from the start (after a reset, or
  // with no cursor yet): the events up to it are old history, read again (see tooOldToTell).
  const replayKey = `downlink-replay:${outlet}`;
  const now = options.now ?? Date.now;
  let stopped = true;
  let state: DownlinkHealth['downlinkState'] = 'starting';
  let lastSuccessMs: number | null = null;
  let lastErrorCode: string | null = null;

  const log = options.log ?? storeBridgeLog(store);
  // A store that answers at once is asked at once; a cursor on the network (PostgreSQL, shared
  // by the cluster's nodes) is read at each start and kept.
  const atOnce = options.log ? null : store;
  let kept: number | undefined;
  let loaded = atOnce !== null;
  const storedCursor = () => (atOnce ? atOnce.getCursor(cursorKey) : kept);
  const cursor = () => storedCursor() ?? 0;
  const moveTo = async (seq: number, check: unknown) => {
    await log.setCursor(cursorKey, seq);
    await log.setCursor(checkKey, typeof check === 'number' && check >= 0 ? check : -1);
    kept = seq;
  };
  // Each start() is a new run: a tick of a stopped run must not go on beside the new one's.
  let run = 0;

  async function fetchPage(since: number) {
    const check = since > 0 ? ((await log.getCursor(checkKey)) ?? -1) : -1;
    const path = `${DOWNLINK_PATH}?since=${since}${check >= 0 ? `&check=${check}` : ''}`;
    const { worker } = options;
    const answer: CentralAnswer = worker?.alive
      ? await worker.get(link.url(path).href)
      : await link.request(path, {}, async (response) => ({
          ok: response.ok,
          status: response.status,
          body: await response.json().catch(() => null),
        }));
    if (!answer.ok || answer.body === null) {
      const code = (answer.body as { error?: { code?: unknown } } | null)?.error?.code;
      throw new DownlinkError(typeof code === 'string' ? code : `http_${answer.status}`);
    }
    return answer.body as {
      events: CentralEvent[];
      last_seq: number;
      last_check?: number;
      has_more: boolean;
      reset?: boolean;
    };
  }

  // Central writes as an admin of this outlet only: an order id of another outlet on the same
  // relay (a food court) is refused as `forbidden`, never changed.
  const central: Principal = {
    sub: 'central',
    role: 'admin',
    outletId: outlet,
    outlet,
    tenants: null,
  };

  // Ids are kept in lower case (core/canonicalIds.ts).
  const prunedHere = async (orderId: string) =>
    (await log.prunedOrderOutlet(orderId.toLowerCase())) === outlet;

  // In a read of central's log from the start, older than the relay remembers the ids of the
  // orders it finished and pruned: whether the outlet had it can no longer be told, and the
  // whole log would be months of web orders, all new tickets. An order the relay holds is
  // still applied. Only then: by the relay's clock, which a wrong date could put weeks ahead,
  // and a live web order must not be judged by it.
  const tooOldToTell = async (event: CentralEvent) => {
    const madeMs = typeof event.ts === 'string' ? Date.parse(event.ts) : Number.NaN;
    if (!(madeMs < now() - PRUNED_ORDER_IDS_KEPT_MS) || !event.order_id) return false;
    return !(await log.hasOrder(event.order_id.toLowerCase()));
  };

  /** Into the log; false when the relay could not write it now (retry the page later). */
  async function write(event: CentralEvent): Promise<boolean> {
    if (event.data?.outlet_id !== undefined && String(event.data.outlet_id) !== outlet) {
      logger.warn({ event_id: event.event_id }, 'central sent an event of another outlet');
      return true;
    }
    const result =
      event.type === 'new_order'
        ? await commands.handle(
            central,
            SOCKET_EVENTS.PUBLISH,
            { ...event.data, event_id: event.event_id },
            'central',
          )
        : event.type === 'order_acknowledged' || !event.order_id || !event.data?.status
          ? { ok: true as const }
          : await commands.handle(
              central,
              SOCKET_EVENTS.UPDATE,
              { order_id: event.order_id, status: event.data.status, event_id: event.event_id },
              'central',
            );
    if (result.ok) return true;
    if (result.error.code === 'not_found' && event.order_id && (await prunedHere(event.order_id))) {
      // A change to an order the outlet finished and retention removed: central's log read
      // again (a reset) or late. A duplicate, like its new_order (which the publish answers so).
      logger.debug(
        { event_id: event.event_id, order_id: event.order_id },
        'central event of an order retention removed: a duplicate',
      );
      return true;
    }
    if (result.error.code === 'order_conflict') {
      // Central's copy of an order the outlet already has says something else: expected where
      // orders reach central both ways and central writes them its own way (a Decimal's
      // "50000.00" for the POS's "50000"). Passed over, not worth a warning per order; the
      // outlet's copy, the one its kitchens cook from, stays.
      logger.info(
        { event_id: event.event_id, order_id: event.order_id },
        "central's copy of an order differs from the outlet's; the outlet's stays",
      );
      return true;
    }
    if (FINAL_REFUSALS.has(result.error.code)) {
      // Surfaced, not retried: the outlet's state already moved on (see docs: conflicts).
      logger.warn(
        { code: result.error.code, event_id: event.event_id, order_id: event.order_id },
        'central event not applied at the outlet',
      );
      return true;
    }
    return false;
  }

  async function tick() {
    if (stopped) return;
    const mine = run;
    const gone = () => stopped || mine !== run;
    try {
      if (!loaded) {
        kept = await log.getCursor(cursorKey);
        loaded = true;
      }
      const from = cursor();
      const page = await fetchPage(from);
      if (gone()) return;
      if (page.reset === true) {
        // Central's log is behind our cursor: its database was replaced or restored. Its seqs
        // now name other events, so read it all again; what we have is a duplicate by event_id.
        logger.warn(
          { outlet, cursor: from, centralHead: page.last_seq },
          "central's event log is behind this relay's cursor (restored?); reading it again from the start",
        );
        await log.setCursor(replayKey, page.last_seq);
        await moveTo(0, null);
        schedule(0);
        return;
      }
      if (storedCursor() === undefined) await log.setCursor(replayKey, page.last_seq);
      const replayThrough = (await log.getCursor(replayKey)) ?? 0;
      let tooOld = 0;
      for (const event of page.events) {
        if (event.seq <= replayThrough && (await tooOldToTell(event))) tooOld += 1;
        else if (!(await write(event))) throw new DownlinkError('relay_write_failed');
        if (gone()) return;
        await moveTo(event.seq, null);
      }
      if (tooOld > 0) {
        logger.warn(
          { outlet, events: tooOld, days: PRUNED_ORDER_IDS_KEPT_MS / 86_400_000 },
          "reading central's log from the start, passed over events older than the relay remembers finished orders, of orders it does not hold: whether the outlet had them can't be told",
        );
      }
      // A node that lost the bridge meanwhile leaves the shared cursor to the one that has it.
      if (gone()) return;
      if (page.last_seq >= cursor()) await moveTo(page.last_seq, page.last_check);
      if (lastErrorCode !== null) logger.info({ outlet }, 'downlink from central works again');
      lastErrorCode = null;
      lastSuccessMs = now();
      state = 'synced';
      backoff.reset();
      schedule(page.has_more ? 0 : pollMs);
    } catch (error) {
      if (gone()) return;
      const known = error instanceof DownlinkError || error instanceof CentralRequestError;
      const code = known ? error.code : 'internal';
      // Once when it starts failing (or fails otherwise), not at every poll: a second a poll.
      if (code !== lastErrorCode) {
        logger.warn(
          { code, outlet, ...(known ? {} : { err: error }) },
          "central's downlink failed; orders and changes made at central do not reach the outlet until it works; retrying",
        );
      }
      lastErrorCode = code;
      state = 'backoff';
      if (CREDENTIAL_REFUSALS.has(code) && options.credential?.reload()) backoff.reset();
      schedule(backoff.next());
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      run += 1;
      if (!atOnce) loaded = false;
      schedule(0);
    },
    stop() {
      stopped = true;
      state = 'stopped';
      link.stop();
    },
    cursor,
    health: () => ({
      downlinkState: state,
      downlinkLastSuccessAt: lastSuccessMs === null ? null : new Date(lastSuccessMs).toISOString(),
      downlinkLastErrorCode: lastErrorCode,
    }),
  };
}
