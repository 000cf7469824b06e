import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventsResponse, SnapshotMessage } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  type Received,
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
