import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../src/index.js';
import { newOrderEvent, removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

const publish = (dir: string, count: number, warnings: string[] = []) => {
  const store = createSqliteEventStore({ dataDir: dir, onWarning: (w) => warnings.push(w) });
  store.transaction(() => {
    for (let i = 0; i < count; i++) store.append(newOrderEvent());
  });
  const seen = { epoch: store.epoch, head: store.head('1') };
  store.close();
  return seen;
};

/** relay.db back from a copy, as an operator restores it (the lock file stays as it is). */
const restore = (dir: string, backup: string) => {
  for (const suffix of ['-wal', '-shm']) rmSync(join(dir, `relay.db${suffix}`), { force: true });
  copyFileSync(backup, join(dir, 'relay.db'));
};

// A kitchen at seq 20 that reconnects to a restored log at seq 10 with the same epoch would
// take the next orders, seq 11-20 again, as already seen, and never show them.
describe('a relay.db restored from a backup', () => {
  it('starts a new epoch, so clients re-sync from a snapshot instead of skipping reused seqs', () => {
    const dir = tempDir('ks-restore-');
    const backup = join(tempDir('ks-backup-'), 'relay.db');
    const first = publish(dir, 10);
    copyFileSync(join(dir, 'relay.db'), backup);
    const later = publish(dir, 10);
    expect(later).toEqual({ epoch: first.epoch, head: 20 });

    restore(dir, backup);
    const warnings: string[] = [];
    const store = createSqliteEventStore({ dataDir: dir, onWarning: (w) => warnings.push(w) });
    expect(store.head('1')).toBe(10);
    expect(store.epoch).not.toBe(first.epoch);
    expect(warnings.join('\n')).toMatch(
      /relay\.db is behind what this data dir had logged \(outlet 1: seq 10, was 20\)/,
    );
    store.close();
  });

  it('keeps its epoch across ordinary restarts', () => {
    const dir = tempDir('ks-restore-');
    const warnings: string[] = [];
    const first = publish(dir, 5, warnings);
    const second = publish(dir, 5, warnings);
    const third = publish(dir, 0, warnings);
    expect([second.epoch, third.epoch]).toEqual([first.epoch, first.epoch]);
    expect(warnings).toEqual([]);
    expect(existsSync(join(dir, 'relay.db.lock'))).toBe(true);
  });
});
