import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventsResponse, SnapshotMessage } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  type Received,
  refusal,
  type TestClient,
  type TestRelay,
  tempDir,
  tokenFor,
} from './helpers.js';
import { type LogLine, loggedRelays } from './loggedRelays.js';

// A log that went back (a backup restored, a disk that lost its last writes) hands the seqs
// past its end out again. A kitchen past them proves it: the relay must start a new epoch, or
// every other client that saw those seqs skips the new orders that get them.

const { relayOn, stop } = loggedRelays();

async function publish(t: TestRelay, count: number, prefix: string) {
  const pos = await connected(t.url, { token: await tokenFor('pos') });
  const numbers: string[] = [];
  for (let i = 1; i <= count; i++) {
    const o = order({ order_number: `${prefix}-${i}` });
    const ack = await pos.request<{ ok: boolean }>('order:publish', o);
    expect(ack.ok).toBe(true);
    numbers.push(o.order_number);
  }
  pos.close();
  return numbers;
}

const FILES = ['relay.db', 'relay.db.lock'];
const copyFiles = (from: string, to: string) => {
  mkdirSync(to, { recursive: true });
  for (const name of FILES) copyFileSync(join(from, name), join(to, name));
};
/** Back over the same files (same inodes), lock file included: nothing tells at start. */
const restoreInPlace = (dir: string, backup: string) => {
  for (const suffix of ['-wal', '-shm']) rmSync(join(dir, `relay.db${suffix}`), { force: true });
  for (const name of FILES) copyFileSync(join(backup, name), join(dir, name));
};

const snapshotOf = (c: TestClient) =>
  c.received.find((r: Received) => r.name === 'sync:snapshot')?.data as SnapshotMessage | undefined;

describe('a client past the head of its own epoch', () => {
  it('makes the log start a new epoch: it, clients still on the old one and pollers get a snapshot with the orders that reuse the seqs', async () => {
    const dir = tempDir('ks-went-back-');
    const backup = tempDir('ks-went-back-copy-');
    let t = await relayOn(dir);
    const epoch = t.relay.epoch;
    await publish(t, 10, 'morning');
    await stop(t);
    copyFiles(dir, backup);
    t = await relayOn(dir);
    await publish(t, 5, 'lunch');
    await stop(t);

    restoreInPlace(dir, backup);
    const lines: LogLine[] = [];
    t = await relayOn(dir, lines);
    // Restored over the same files with the mark of the backup's moment: nothing to see yet.
    expect(t.relay.epoch).toBe(epoch);
    const afternoon = await publish(t, 3, 'afternoon');
    expect(await t.relay.reader.head('1')).toBe(13);

    // A kitchen that had seen seq 12 comes back inside the window: nothing proves anything
    // yet, and it takes 13 as the only new event.
    const early = await connected(t.url, {
      token: await tokenFor('kitchen'),
      since: 12,
      epoch,
    });
    expect(early.events().map((e) => e.data)).toHaveLength(1);
    const earlyGone = new Promise<void>((resolve) =>
      early.socket.once('disconnect', () => resolve()),
    );

    // The kitchen that had seen 15 proves the log went back.
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen'), since: 15, epoch });
    expect(t.relay.epoch).not.toBe(epoch);
    const snapshot = snapshotOf(kitchen)!;
    expect(snapshot.epoch).toBe(t.relay.epoch);
    expect(snapshot.orders.map((o) => o.order_number)).toEqual(expect.arrayContaining(afternoon));
    const warned = lines.filter((l) => l.code === 'log_went_back');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.level).toBe(40);
    expect(warned[0]!.msg).toMatch(/seen seq 15 of outlet 1 .* the log ends at 13/);

    // The one planned under the old epoch is dropped, and back with its cursor it gets the
    // orders at seqs 11 and 12 it had taken as seen.
    await earlyGone;
    const back = await connected(t.url, { token: await tokenFor('kitchen'), since: 13, epoch });
    expect(snapshotOf(back)?.orders.map((o) => o.order_number)).toEqual(
      expect.arrayContaining(afternoon),
    );

    // A poller of the old epoch, wherever its cursor.
    const poll = await http(t.url, `/api/events?outlet_id=1&since=13&epoch=${epoch}`, {
      token: await tokenFor('kitchen'),
    });
    expect(poll.status).toBe(200);
    const body = poll.body as EventsResponse;
    expect(body.epoch).toBe(t.relay.epoch);
    expect(body.snapshot?.orders.map((o) => o.order_number)).toEqual(
      expect.arrayContaining(afternoon),
    );

    // A second proof under the old epoch makes no third one.
    const again = t.relay.epoch;
    await connected(t.url, { token: await tokenFor('kitchen'), since: 15, epoch });
    expect(t.relay.epoch).toBe(again);
    expect(lines.filter((l) => l.code === 'log_went_back')).toHaveLength(1);

    // The new epoch is the log's: a restart keeps it.
    await stop(t);
    t = await relayOn(dir);
    expect(t.relay.epoch).toBe(again);
  });

  it('is no proof at the head, nor with another epoch or none (a snapshot, the epoch stays)', async () => {
    const dir = tempDir('ks-went-back-');
    const t = await relayOn(dir);
    await publish(t, 3, 'a');
    const epoch = t.relay.epoch;
    const token = await tokenFor('kitchen');
    await connected(t.url, { token, since: 3, epoch });
    await connected(t.url, { token, since: 9, epoch: 'another-log' });
    const poll = await http(t.url, '/api/events?outlet_id=1&since=9', { token });
    expect(poll.body.snapshot).toMatchObject({ seq: 3, epoch });
    expect(t.relay.epoch).toBe(epoch);
  });

  it('starts one new epoch, not one per request, for cursors that only look ahead (a device sending them over and over), and names the device', async () => {
    const dir = tempDir('ks-went-back-');
    const lines: LogLine[] = [];
    const t = await relayOn(dir, lines);
    await publish(t, 3, 'a');
    const token = await tokenFor('kitchen', { sub: 'kds-moved' });
    const ahead = () =>
      http(t.url, `/api/events?outlet_id=1&since=500&epoch=${t.relay.epoch}`, { token });

    const first = t.relay.epoch;
    expect((await ahead()).body.snapshot).toMatchObject({ seq: 3 });
    const second = t.relay.epoch;
    expect(second).not.toBe(first);
    for (let i = 0; i < 3; i++) {
      expect((await ahead()).body.snapshot).toMatchObject({ seq: 3, epoch: second });
    }
    expect(t.relay.epoch).toBe(second);
    const warnings = lines.filter((l) => l.code === 'log_went_back');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ device: 'kds-moved' });
    expect(warnings[0]?.msg).toContain('a client (kds-moved) had seen seq 500');
  });
});

describe('a client whose since_event the log holds no longer at its seq', () => {
  /**
   * A relay restored in place to a copy from seq 10 after it had logged 15 (nothing tells at
   * start), then past 15 again with new orders: no cursor is ahead of the head any more.
   * Returns the old epoch and the event ids the kitchens had applied at 12 and 15.
   */
  async function wentBackPastTheCursors(lines: LogLine[]) {
    const dir = tempDir('ks-went-back-');
    const backup = tempDir('ks-went-back-copy-');
    let t = await relayOn(dir);
    const epoch = t.relay.epoch;
    await publish(t, 10, 'morning');
    await stop(t);
    copyFiles(dir, backup);
    t = await relayOn(dir);
    await publish(t, 5, 'lunch');
    const watcher = await connected(t.url, { token: await tokenFor('kitchen'), since: 10, epoch });
    const applied = new Map(watcher.events().map((e) => [e.seq!, e.event_id]));
    watcher.close();
    await stop(t);

    restoreInPlace(dir, backup);
    t = await relayOn(dir, lines);
    expect(t.relay.epoch).toBe(epoch);
    const afternoon = await publish(t, 7, 'afternoon');
    expect(await t.relay.reader.head('1')).toBe(17);
    return { t, epoch, afternoon, at12: applied.get(12)!, at15: applied.get(15)! };
  }

  it('proves the log went back: a new epoch, a snapshot with the orders that took its seqs, one coded warning naming the device', async () => {
    const lines: LogLine[] = [];
    const { t, epoch, afternoon, at12 } = await wentBackPastTheCursors(lines);
    const token = await tokenFor('kitchen', { sub: 'kds-grill' });

    const kitchen = await connected(t.url, { token, since: 12, epoch, since_event: at12 });
    expect(t.relay.epoch).not.toBe(epoch);
    const snapshot = snapshotOf(kitchen)!;
    expect(snapshot.epoch).toBe(t.relay.epoch);
    // Orders 11 and 12 of the afternoon reuse seqs the kitchen had applied as lunch's.
    expect(snapshot.orders.map((o) => o.order_number)).toEqual(expect.arrayContaining(afternoon));
    expect(kitchen.events()).toEqual([]);
    const warned = lines.filter((l) => l.code === 'log_went_back');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, device: 'kds-grill', clientSeq: 12 });
    expect(warned[0]!.msg).toContain(`had applied event ${at12} at seq 12 of outlet 1`);

    // A poller of the old epoch gets the snapshot too; no second new epoch.
    const now = t.relay.epoch;
    const poll = await http(
      t.url,
      `/api/events?outlet_id=1&since=12&epoch=${epoch}&since_event=${at12}`,
      { token },
    );
    expect((poll.body as EventsResponse).snapshot?.epoch).toBe(now);
    expect(t.relay.epoch).toBe(now);
  });

  it('proves it by poll (GET /api/events) as by socket', async () => {
    const lines: LogLine[] = [];
    const { t, epoch, afternoon, at15 } = await wentBackPastTheCursors(lines);
    const poll = await http(
      t.url,
      `/api/events?outlet_id=1&since=15&epoch=${epoch}&since_event=${at15}`,
      { token: await tokenFor('kitchen') },
    );
    expect(poll.status).toBe(200);
    const body = poll.body as EventsResponse;
    expect(body.events).toEqual([]);
    expect(body.epoch).not.toBe(epoch);
    expect(body.epoch).toBe(t.relay.epoch);
    expect(body.snapshot?.orders.map((o) => o.order_number)).toEqual(
      expect.arrayContaining(afternoon),
    );
    expect(lines.filter((l) => l.code === 'log_went_back')).toHaveLength(1);
  });

  it("without since_event, or with the event the log holds, keeps today's backlog", async () => {
    const { t, epoch, afternoon } = await wentBackPastTheCursors([]);
    const token = await tokenFor('kitchen');
    const old = await connected(t.url, { token, since: 12, epoch });
    // What an old client gets: the afternoon orders at 11 and 12 are skipped as seen.
    expect(old.events().map((e) => e.seq)).toEqual([13, 14, 15, 16, 17]);
    // An empty since_event is none.
    const empty = await connected(t.url, { token, since: 12, epoch, since_event: '' });
    expect(empty.events().map((e) => e.seq)).toEqual([13, 14, 15, 16, 17]);
    const logged = (await t.relay.reader.eventIdAt!('1', 12))!;
    const same = await connected(t.url, { token, since: 12, epoch, since_event: logged });
    expect(same.events().map((e) => e.seq)).toEqual([13, 14, 15, 16, 17]);
    // Upper case is the same UUID.
    const upper = await connected(t.url, {
      token,
      since: 12,
      epoch,
      since_event: logged.toUpperCase(),
    });
    expect(upper.events()).toHaveLength(5);
    expect(snapshotOf(upper)).toBeUndefined();
    expect(t.relay.epoch).toBe(epoch);
    expect(afternoon).toHaveLength(7);
  });

  it('proves nothing once retention removed the event at since, or with another epoch', async () => {
    const { t, epoch, at12 } = await wentBackPastTheCursors([]);
    const token = await tokenFor('kitchen');
    const other = await connected(t.url, { token, since: 12, epoch: 'another', since_event: at12 });
    expect(snapshotOf(other)?.epoch).toBe(epoch);
    await t.relay.reader.prune({ maxAgeMs: 1e12, maxEvents: 4 }, Date.now());
    const pruned = await connected(t.url, { token, since: 12, epoch, since_event: at12 });
    // Behind retention: a snapshot, as ever, and no new epoch.
    expect(snapshotOf(pruned)?.epoch).toBe(epoch);
    expect(t.relay.epoch).toBe(epoch);
  });

  it('starts one new epoch, not one per request, for a made-up since_event sent over and over', async () => {
    const lines: LogLine[] = [];
    const t = await relayOn(tempDir('ks-went-back-'), lines);
    await publish(t, 3, 'a');
    const token = await tokenFor('kitchen', { sub: 'kds-odd' });
    const madeUp = () =>
      http(t.url, `/api/events?outlet_id=1&since=2&epoch=${t.relay.epoch}&since_event=made-up`, {
        token,
      });
    const first = t.relay.epoch;
    expect((await madeUp()).body.snapshot).toMatchObject({ seq: 3 });
    const second = t.relay.epoch;
    expect(second).not.toBe(first);
    for (let i = 0; i < 3; i++) {
      expect((await madeUp()).body.snapshot).toMatchObject({ seq: 3, epoch: second });
    }
    expect(t.relay.epoch).toBe(second);
    expect(lines.filter((l) => l.code === 'log_went_back')).toHaveLength(1);
  });

  it('refuses a malformed since_event as it refuses a malformed since', async () => {
    const t = await relayOn(tempDir('ks-went-back-'));
    const token = await tokenFor('kitchen');
    for (const since_event of [42, 'e'.repeat(65), { id: 'x' }]) {
      expect(await refusal(t.url, { token, since: 1, epoch: 'e', since_event })).toBe(
        'invalid_payload',
      );
    }
    const long = await http(t.url, `/api/events?since=1&since_event=${'e'.repeat(65)}`, { token });
    expect([long.status, long.body.error.code]).toEqual([400, 'invalid_payload']);
    const twice = await http(t.url, '/api/events?since=1&since_event=a&since_event=b', { token });
    expect([twice.status, twice.body.error.code]).toEqual([400, 'invalid_payload']);
    // Still up.
    expect((await http(t.url, '/health')).status).toBe(200);
  });
});

describe('a relay.db that is not the file its log was written in', () => {
  it('starts a new epoch on a replacement PC, whether relay.db alone or the whole data dir was copied', async () => {
    const dir = tempDir('ks-old-pc-');
    let t = await relayOn(dir);
    await publish(t, 4, 'morning');
    const epoch = t.relay.epoch;
    await stop(t);

    for (const files of [['relay.db'], FILES]) {
      const newPc = join(tempDir('ks-new-pc-'), 'data');
      mkdirSync(newPc);
      for (const name of files) copyFileSync(join(dir, name), join(newPc, name));
      const lines: LogLine[] = [];
      t = await relayOn(newPc, lines);
      expect(await t.relay.reader.head('1')).toBe(4);
      expect(t.relay.epoch).not.toBe(epoch);
      expect(lines.filter((l) => l.code === 'log_went_back').map((l) => l.msg)).toEqual([
        expect.stringMatching(/relay\.db is not the file its log was written in/),
      ]);
      await stop(t);
      // Recorded: the next start on the new PC is an ordinary one.
      const again = t.relay.epoch;
      t = await relayOn(newPc);
      expect(t.relay.epoch).toBe(again);
      await stop(t);
    }
  });

  it('keeps its epoch across ordinary restarts in place', async () => {
    const dir = tempDir('ks-same-pc-');
    const lines: LogLine[] = [];
    let t = await relayOn(dir, lines);
    await publish(t, 2, 'a');
    const epoch = t.relay.epoch;
    await stop(t);
    t = await relayOn(dir, lines);
    await publish(t, 2, 'b');
    await stop(t);
    t = await relayOn(dir, lines);
    expect(t.relay.epoch).toBe(epoch);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
