import type { BridgeHealth } from '@kitchen-sync/protocol';
import type { EventStore } from '../store/EventStore.js';
import { type BridgeLog, type LogPosition, storeBridgeLog } from './bridgeLog.js';
import { CREDENTIAL_REFUSALS } from './centralCredential.js';
import { type CentralLinkOptions, CentralRequestError, createCentralLink } from './centralLink.js';
import type { CentralAnswer, CentralWorker, PostedBatch } from './centralWorker.js';

/** Where a central built on the Django package takes uploads, below `--central-url`. */
export const UPLOAD_PATH = 'api/kitchen-sync/relay/upload/';

/** The outlet's log goes up to `UPLOAD_PATH` below `centralUrl`. */
export interface UplinkOptions extends CentralLinkOptions {
  store: EventStore;
  /**
   * The log as the uplink reads it when the store answers only asynchronously (PostgreSQL):
   * the cursors are read again at every start() (another node may have moved them), the
   * unsent count and lag are those of the last look. Default: the store itself.
   */
  log?: BridgeLog;
  now?: () => number;
  /** Events per request. Default 200: halved on too_large or a timeout, doubled back after
   * `GROW_AFTER` confirmed batches in a row. */
  batchSize?: number;
  /** How often an idle uplink looks at the log without being told. Default 5 s. */
  idlePollMs?: number;
  /** Batches are read and posted there, off the event loop the kitchens are served from. */
  worker?: CentralWorker | null;
  /** Told after central confirmed a batch (`count` events). */
  onUploaded?: (count: number) => void;
  /** Told after every attempt and state change (the screens' `sync:bridge` looks then). */
  onChange?: () => void;
}

export interface Uplink {
  start(): void;
  /** New events were committed: upload soon (never cuts a back-off short). */
  notify(): void;
  /** Events of these outlets were committed: warns once per outlet this uplink does not send. */
  sawOutlets(outlets: Iterable<string>): void;
  health(): BridgeHealth;
  /** Events central has not confirmed, and the time of the oldest (retention keeps them). */
  unsent(): { count: number; oldestTsMs: number };
  /** How many events central has not confirmed: cheap enough for every commit. */
  unsentCount(): number;
  stop(): void;
}

interface UploadAnswer {
  epoch: string;
  last_seq: number;
}

class UploadError extends Error {
  constructor(
    readonly code: string,
    /** Central's cursor for the epoch, when its refusal says (seq_gap, epoch_conflict). */
    readonly centralSeq: number | null = null,
  ) {
    super(code);
  }
}

/** The stored name of the uplink's cursor (the last seq central confirmed) for `outlet`. */
export const uplinkCursorName = (outlet: string): string => `uplink:${outlet}`;

/** Confirmed batches in a row after which a batch shrunk by a 413 or a timeout doubles. */
export const GROW_AFTER = 4;

// The refusals that shrink the batch: only a smaller one can get through (a body limit in
// front of central, or a link too slow for the whole batch within the request timeout).
const SHRINKS = new Set(['too_large', 'central_timeout']);

/**
 * Sends the outlet's log to central in seq order. The cursor (last seq central confirmed)
 * lives in the store and moves only after central's answer, so a crash re-sends at most one
 * batch, which central recognises by event_id. A new data dir is a new epoch: central keeps
 * one cursor per epoch and recognises orders it has by order_id.
 */
export function createUplink(options: UplinkOptions): Uplink {
  const { store, outlet, logger } = options;
  const now = options.now ?? Date.now;
  const idlePollMs = options.idlePollMs ?? 5_000;
  const link = createCentralLink(options, () => void tick());
  const { backoff } = link;
  const schedule = link.schedule;
  const cursorKey = uplinkCursorName(outlet);
  // Non-zero once this log met another one under its epoch at central (epoch_conflict): the
  // uplink then sends under `<epoch>.<n>`, an epoch of its own at central.
  const forkKey = `uplink-epoch:${outlet}`;
  const maxBatchSize = options.batchSize ?? 200;
  let batchSize = maxBatchSize;
  let confirmedInARow = 0;
  let rewoundTo: number | null = null;
  const unbridged = new Set<string>();
  let state: BridgeHealth['state'] = 'starting';
  let lastSuccessMs: number | null = null;
  let lastErrorCode: string | null = null;
  let inBackoff = false;
  let stopped = true;

  const log = options.log ?? storeBridgeLog(store);
  // A store that answers at once is asked at once (the relay asks how much is unsent on every
  // commit); one on the network (PostgreSQL) is asked in each tick, and its answer kept.
  const atOnce = options.log ? null : store;
  let seen: LogPosition = { head: 0, prunedThrough: 0 };
  let firstUnsentTs: number | undefined;
  const position = (): LogPosition =>
    atOnce ? { head: atOnce.head(outlet), prunedThrough: atOnce.prunedThrough(outlet) } : seen;
  const look = async () => {
    seen = await log.position(outlet);
    return seen;
  };

  // Only the uplink running the bridge moves its cursor, so it is read from the store when it
  // starts and kept here: the relay asks how much is unsent on every commit (retention), and a
  // SELECT there cost the publish path ~15 % more CPU while a backlog drained.
  let confirmedSeq = atOnce?.getCursor(cursorKey) ?? 0;
  let fork = atOnce?.getCursor(forkKey) ?? 0;
  // False until the cursors of a log on the network are read (at each start).
  let loaded = atOnce !== null;
  const confirm = async (seq: number) => {
    await log.setCursor(cursorKey, seq);
    confirmedSeq = seq;
  };
  const cursor = () => Math.max(confirmedSeq, position().prunedThrough);
  const unsentCount = () => Math.max(0, position().head - cursor());
  const oldestUnsentTs = () => {
    if (unsentCount() === 0) return undefined;
    return atOnce ? atOnce.eventsAfter(outlet, cursor(), 1, null)[0]?.tsMs : firstUnsentTs;
  };

  const uploadEpoch = () => (fork === 0 ? store.epoch : `${store.epoch}.${fork}`);
  // A store on the network knows its epoch once opened: read with the cursors, at start.
  let epoch = atOnce ? uploadEpoch() : '';

  /** Reads the shared cursors again: the node that ran the bridge before may have moved them. */
  async function load() {
    confirmedSeq = (await log.getCursor(cursorKey)) ?? 0;
    fork = (await log.getCursor(forkKey)) ?? 0;
    epoch = uploadEpoch();
    loaded = true;
  }

  // Every batch's body is this, the envelopes as the log holds them joined, and `]}`:
  // parsing 200 of them only to write them out again held the event loop ~1 ms a batch.
  // `pruned_through`: seqs central can never get from this log, so not a gap (seq_gap).
  const bodyHead = (pruned: number) =>
    `{"outlet_id":${JSON.stringify(outlet)},"epoch":${JSON.stringify(epoch)},${
      pruned > 0 ? `"pruned_through":${pruned},` : ''
    }"events":[`;

  async function postHere(since: number, head: string): Promise<PostedBatch> {
    const texts = await log.envelopeTextsAfter(outlet, since, batchSize);
    const answer = await link.request(
      UPLOAD_PATH,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `${head}${texts.join(',')}]}`,
      },
      async (response) => ({
        ok: response.ok,
        status: response.status,
        body: await response.json().catch(() => null),
      }),
    );
    return { count: texts.length, answer };
  }

  function readAnswer({ ok, status, body }: CentralAnswer): UploadAnswer {
    const answer = body as {
      error?: { code?: string; last_seq?: unknown };
      epoch?: unknown;
      last_seq?: unknown;
    } | null;
    // A bare 413 comes from what stands in front of central (a proxy's or Django's body
    // limit): the batch is too large all the same, and only a smaller one can get through.
    if (!ok) {
      const centralSeq = answer?.error?.last_seq;
      throw new UploadError(
        answer?.error?.code ?? (status === 413 ? 'too_large' : `http_${status}`),
        typeof centralSeq === 'number' && centralSeq >= 0 ? centralSeq : null,
      );
    }
    if (answer?.epoch !== epoch || typeof answer.last_seq !== 'number') {
      throw new UploadError('central_bad_answer');
    }
    return answer as UploadAnswer;
  }

  /**
   * Central has this epoch only up to `centralSeq` (its database came back from a backup):
   * what was confirmed after it is sent again (central knows repeats by event_id).
   */
  async function rewind(centralSeq: number) {
    if (rewoundTo !== centralSeq) {
      logger.warn(
        { outlet, epoch, confirmed: confirmedSeq, centralSeq },
        "central has less of this relay's log than it confirmed (its database restored from a backup?); uploading again from its last seq",
      );
    }
    rewoundTo = centralSeq;
    // Below what retention removed, the next tick says so and goes on after it.
    await confirm(centralSeq);
  }

  /** Another log holds this epoch at central (a copied data dir): this one takes its own. */
  async function forkEpoch(centralSeq: number | null) {
    const next = Math.floor(1 + (options.random ?? Math.random)() * 2 ** 31);
    logger.error(
      { outlet, epoch, centralSeq, newEpoch: `${store.epoch}.${next}` },
      "central holds another relay log under this log's epoch (a copied or whole-restored data dir); uploading this log again under an epoch of its own (see docs/relay.md: restoring)",
    );
    await log.setCursor(forkKey, next);
    fork = next;
    epoch = uploadEpoch();
    await confirm(0);
  }

  // Each start() is a new run: a tick of a run that was stopped (the bridge handed over and
  // taken back) must not go on beside the new run's.
  let run = 0;
  // The run whose tick is between its first read and its last write, if any: the reads of a
  // store on the network are awaited, and a second tick started meanwhile (a commit's notify)
  // would post the same batch beside it. `again`: something was committed meanwhile.
  let ticking: number | null = null;
  let again = false;

  async function tick() {
    if (stopped) return;
    const mine = run;
    if (ticking === mine) {
      again = true;
      return;
    }
    ticking = mine;
    again = false;
    try {
      await tickOnce(mine);
    } finally {
      if (ticking === mine) ticking = null;
    }
  }

  async function tickOnce(mine: number) {
    const gone = () => stopped || mine !== run;
    try {
      if (!loaded) await load();
      const { prunedThrough: pruned } = await look();
      if (gone()) return;
      const from = confirmedSeq;
      if (from < pruned) {
        // Retention dropped events central never got: say so loudly, then go on after them.
        logger.error(
          { outlet, from, prunedThrough: pruned },
          'central never got events retention removed',
        );
        await confirm(pruned);
      }
      const start = cursor();
      if (!atOnce) {
        firstUnsentTs = position().head > start ? await log.firstTsAfter(outlet, start) : undefined;
        if (gone()) return;
      }
      // Nothing after the cursor: the first run still posts (an empty batch checks the credential).
      if (position().head <= start && lastSuccessMs !== null) {
        state = 'synced';
        schedule(again ? 0 : idlePollMs);
        options.onChange?.();
        return;
      }
      state = 'uploading';
      const { worker } = options;
      const head = bodyHead(pruned);
      const { count, answer: reply } = await (worker?.alive
        ? worker.upload(start, batchSize, head)
        : postHere(start, head));
      if (gone()) return;
      const answer = readAnswer(reply);
      if (answer.last_seq < confirmedSeq) {
        // Asked where it stands (an empty batch), central is behind what it confirmed.
        await rewind(answer.last_seq);
        schedule(0);
        return;
      }
      const confirmed = Math.min(answer.last_seq, (await look()).head);
      if (count > 0 && confirmed <= start) throw new UploadError('central_not_advancing');
      if (confirmed > start) await confirm(confirmed);
      if (gone()) return;
      if (!atOnce) firstUnsentTs = await log.firstTsAfter(outlet, cursor());
      lastSuccessMs = now();
      lastErrorCode = null;
      inBackoff = false;
      backoff.reset();
      if (batchSize < maxBatchSize && ++confirmedInARow >= GROW_AFTER) {
        batchSize = Math.min(maxBatchSize, batchSize * 2);
        confirmedInARow = 0;
      }
      if (count > 0) options.onUploaded?.(count);
      if (position().head > confirmed) {
        schedule(0);
      } else {
        state = 'synced';
        schedule(again ? 0 : idlePollMs);
      }
      options.onChange?.();
    } catch (error) {
      if (gone()) return;
      const known = error instanceof UploadError || error instanceof CentralRequestError;
      const code = known ? error.code : 'internal';
      if (!known) logger.error({ err: error }, 'uplink failed');
      const centralSeq = error instanceof UploadError ? error.centralSeq : null;
      try {
        if (code === 'seq_gap' && centralSeq !== null && centralSeq < confirmedSeq) {
          await rewind(centralSeq);
          schedule(0);
          return;
        }
        if (code === 'epoch_conflict') await forkEpoch(centralSeq);
      } catch (storeError) {
        logger.error({ err: storeError }, 'uplink could not store its cursor');
      }
      if (CREDENTIAL_REFUSALS.has(code) && options.credential?.reload()) backoff.reset();
      if (SHRINKS.has(code)) batchSize = Math.max(1, Math.floor(batchSize / 2));
      confirmedInARow = 0;
      if (code !== lastErrorCode && code !== 'epoch_conflict') {
        logger.warn({ code, outlet }, 'central upload failed; retrying');
      }
      lastErrorCode = code;
      state = 'backoff';
      inBackoff = true;
      schedule(backoff.next());
      options.onChange?.();
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
    notify() {
      if (stopped || inBackoff) return;
      if (ticking === run || link.busy || state === 'uploading') {
        again = true;
        return;
      }
      schedule(0);
    },
    sawOutlets(outlets) {
      for (const other of outlets) {
        if (other === outlet || unbridged.has(other)) continue;
        unbridged.add(other);
        logger.warn(
          { outlet: other, bridgedOutlet: outlet },
          "this relay logs events of an outlet it does not bridge: they are not uploaded to central (a bridge uploads its credential's outlet only; see docs/relay.md, Bridge to central)",
        );
      }
    },
    unsentCount,
    unsent() {
      return { count: unsentCount(), oldestTsMs: oldestUnsentTs() ?? now() };
    },
    health() {
      const oldestTs = oldestUnsentTs();
      return {
        state: stopped && state !== 'starting' ? 'stopped' : state,
        pendingEvents: unsentCount(),
        lagSeconds: oldestTs === undefined ? 0 : Math.max(0, Math.round((now() - oldestTs) / 1000)),
        lastSuccessAt: lastSuccessMs === null ? null : new Date(lastSuccessMs).toISOString(),
        lastErrorCode,
        downlinkCursor: null,
        downlinkState: null,
        downlinkLastSuccessAt: null,
        downlinkLastErrorCode: null,
      };
    },
    stop() {
      stopped = true;
      state = 'stopped';
      link.stop();
    },
  };
}
