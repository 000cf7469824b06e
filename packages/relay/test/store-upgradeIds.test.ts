import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../src/index.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { http, order, peek, startRelay, type TestRelay, tokenFor } from './helpers.js';

let relay: TestRelay | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await relay?.close();
  relay = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const UPPER_ORDER = '687E5407-0000-4000-8000-0000000000AA';
const UPPER_EVENT = 'ABCDEF01-0000-4000-8000-0000000000BB';

/** Sets relay.db's schema version as another relay would have left it. */
function setSchemaVersion(dir: string, version: number) {
  const db = loadSqliteDriver().open(join(dir, 'relay.db'));
  // Schema versions 4 and 5 added them.
  if (version < 4) db.exec('DROP TABLE pruned_orders');
  if (version < 5) db.exec('DROP TABLE pruned_events');
  db.exec(`PRAGMA user_version = ${version}`);
  db.close();
}

/** A data dir as a relay from before lower-case ids left it (schema version 2). */
function dataDirOfAnOlderRelay() {
  const dir = mkdtempSync(join(tmpdir(), 'ks-upgrade-ids-'));
  dirs.push(dir);
  const store = createSqliteEventStore({ dataDir: dir });
  const posted = order({ order_id: UPPER_ORDER });
  const state = { ...posted, status: 'preparing', version: 2 } as OrderState;
  store.transaction(() => {
    const event = store.append({
      outlet: '1',
      tenant: String(posted.tenant_id),
      tsMs: Date.now(),
      envelope: {
        event_id: UPPER_EVENT,
        type: 'new_order',
        outlet_id: 1,
        tenant_id: posted.tenant_id,
        order_id: UPPER_ORDER,
        data: state,
        ts: new Date().toISOString(),
      },
    });
    const seq = event.envelope.seq;
    store.putOrder({
      orderId: UPPER_ORDER,
      outlet: '1',
      tenant: String(posted.tenant_id),
      state,
      createdSeq: seq,
      statusSeq: seq,
      updatedMs: Date.now(),
    });
  });
  const epoch = store.epoch;
  store.close();
  setSchemaVersion(dir, 2);
  return { dir, posted, epoch };
}

describe('a data dir from a relay that kept ids as the POS spelled them', () => {
  it('is upgraded to lower-case ids: a retried publish is a duplicate, an update applies', async () => {
    const { dir, posted, epoch } = dataDirOfAnOlderRelay();
    const warnings: string[] = [];
    relay = await startRelay({
      store: 'sqlite',
      dataDir: dir,
      onWarning: (message: string) => warnings.push(message),
    } as Parameters<typeof startRelay>[0]);
    const token = await tokenFor('pos');
    const retried = await http(relay.url, '/api/events', {
      token,
      body: { type: 'order:publish', payload: posted },
    });
    expect(retried.body).toMatchObject({ ok: true, duplicate: true });
    const ready = await http(relay.url, '/api/events', {
      token: await tokenFor('kitchen'),
      body: { type: 'order:update', payload: { order_id: UPPER_ORDER, status: 'ready' } },
    });
    expect(ready.body).toMatchObject({ ok: true });
    const stored = await peek(relay.relay, (s) => s.getOrder(UPPER_ORDER.toLowerCase()));
    expect(stored?.state).toMatchObject({ order_id: UPPER_ORDER.toLowerCase(), status: 'ready' });
    // Kitchens hold the old spelling: a new epoch makes them re-sync from a snapshot.
    expect(relay.relay.epoch).not.toBe(epoch);
  });

  it('leaves a log with lower-case ids, and its epoch, alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-upgrade-ids-'));
    dirs.push(dir);
    const first = createSqliteEventStore({ dataDir: dir });
    const epoch = first.epoch;
    first.close();
    setSchemaVersion(dir, 2);
    const again = createSqliteEventStore({ dataDir: dir });
    expect(again.epoch).toBe(epoch);
    again.close();
  });
});

describe('a data dir from a newer relay', () => {
  it('is refused with store_schema_newer, untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-newer-'));
    dirs.push(dir);
    createSqliteEventStore({ dataDir: dir }).close();
    setSchemaVersion(dir, 99);
    expect(() => createSqliteEventStore({ dataDir: dir })).toThrow(
      expect.objectContaining({ code: 'store_schema_newer' }),
    );
    const after = loadSqliteDriver().open(join(dir, 'relay.db'));
    expect(after.pragmaValue('user_version')).toBe(99);
    after.close();
  });
});
