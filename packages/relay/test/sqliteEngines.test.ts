import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../src/index.js';
import { newOrderEvent, removeTempDirs, tempDir } from './helpers.js';

// vitest runs on the Node that runs CI (20: better-sqlite3). node:sqlite needs Node 24, so
// this file hands the store suite, and half of each round trip, to the pinned Node binary
// the executables are built from (fetched once from the npm registry, then cached).
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Files that exercise the store, its lock, its checks and its checkpoints. */
const STORE_SUITE = [
  'test/store.test.ts',
  'test/store-prunedOrders.test.ts',
  'test/sqliteEngine.test.ts',
  'test/dataDirLock.test.ts',
  'test/integrityCheck.test.ts',
  'test/gracefulStopCheckpoint.test.ts',
  'test/storageFull.test.ts',
  'test/perf-checkpoint.test.ts',
  'test/store-privateData.test.ts',
];

function pinnedNode(): string {
  const script = `${packageRoot}exe/nodeBinary.mjs`;
  return execFileSync(process.execPath, [script, 'linux-x64'], { encoding: 'utf8' }).trim();
}

/** Runs `source` (ESM, `store` = createSqliteEventStore from dist) on the pinned Node. */
function onNodeSqlite(dataDir: string, source: string): unknown {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: run pnpm --filter @kitchen-sync/relay build`);
  const program = `
    import { createSqliteEventStore } from ${JSON.stringify(DIST)};
    const store = createSqliteEventStore({ dataDir: ${JSON.stringify(dataDir)}, engine: 'node:sqlite' });
    const out = {};
    ${source}
    store.close();
    process.stdout.write(JSON.stringify(out));`;
  const result = spawnSync(pinnedNode(), ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`node:sqlite side failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

afterEach(() => removeTempDirs());

describe('node:sqlite on the pinned Node binary', () => {
  it('passes the store suite', { timeout: 300_000 }, () => {
    const vitest = `${repoRoot}node_modules/vitest/vitest.mjs`;
    const result = spawnSync(
      pinnedNode(),
      [vitest, 'run', '--project', 'relay', '--reporter', 'dot', ...STORE_SUITE],
      {
        cwd: packageRoot,
        encoding: 'utf8',
        timeout: 280_000,
        env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    // Every file ran, and none was filtered out.
    expect(output).toMatch(new RegExp(`Test Files\\s+\\S*${STORE_SUITE.length} passed`));
  });

  it('opens a data dir written by better-sqlite3 and hands it back, one log and epoch throughout', () => {
    const dataDir = tempDir();
    const first = createSqliteEventStore({ dataDir, engine: 'better-sqlite3' });
    first.transaction(() => {
      first.append(newOrderEvent());
      first.append(newOrderEvent());
      first.putAck('order-1', 'kitchen-1', 2);
    });
    const epoch = first.epoch;
    first.close();

    const seen = onNodeSqlite(
      dataDir,
      `out.engine = store.engine;
       out.epoch = store.epoch;
       out.head = store.head('1');
       out.seqs = store.eventsAfter('1', 0, 100, null).map((e) => e.envelope.seq);
       out.ack = store.getAck('order-1', 'kitchen-1');
       store.transaction(() => store.append({
         outlet: '1', tenant: '3', tsMs: 0,
         envelope: { event_id: 'written-by-node-sqlite', type: 'new_order', outlet_id: 1,
           tenant_id: 3, order_id: 'o-3', data: {}, ts: new Date(0).toISOString() },
       }));`,
    );
    expect(seen).toEqual({ engine: 'node:sqlite', epoch, head: 2, seqs: [1, 2], ack: 2 });

    const again = createSqliteEventStore({ dataDir, engine: 'better-sqlite3' });
    expect(again.epoch).toBe(epoch);
    expect(again.head('1')).toBe(3);
    expect(again.getEvent('written-by-node-sqlite')?.envelope.seq).toBe(3);
    again.close();
  });

  it('leaves a data dir better-sqlite3 opens after node:sqlite created it', () => {
    const dataDir = tempDir();
    const created = onNodeSqlite(
      dataDir,
      `store.transaction(() => store.append({
         outlet: '7', tenant: '1', tsMs: 0,
         envelope: { event_id: 'e1', type: 'new_order', outlet_id: 7, tenant_id: 1,
           order_id: 'o-1', data: {}, ts: new Date(0).toISOString() },
       }));
       out.epoch = store.epoch;`,
    ) as { epoch: string };
    const store = createSqliteEventStore({ dataDir, engine: 'better-sqlite3' });
    expect(store.epoch).toBe(created.epoch);
    expect(store.eventsAfter('7', 0, 10, null).map((e) => e.envelope.event_id)).toEqual(['e1']);
    store.close();
  });
});
