import type { MasterDataStatus } from '@kitchen-sync/client/master-data';
import { expect, test } from 'vitest';
import { showStaleMenu, staleMenuText } from '../src/staleMenuBanner';

const DAY_MS = 24 * 60 * 60 * 1000;
const lastSync = Date.UTC(2026, 11, 5, 7, 0);

function status(fields: Partial<MasterDataStatus>): MasterDataStatus {
  return { state: 'synced', lastSync, error: null, stale: false, ...fields };
}

/** A status store the test drives by hand, and the banner's text as it stands. */
function banner() {
  let listener: (s: MasterDataStatus) => void = () => {};
  const element = { textContent: '' } as HTMLElement;
  showStaleMenu(element, {
    subscribe(fn) {
      listener = fn;
      return () => {};
    },
  });
  return {
    set: (fields: Partial<MasterDataStatus>) => listener(status(fields)),
    text: () => element.textContent,
  };
}

test('a fresh menu has no banner; a stale one names when it was last updated', () => {
  expect(staleMenuText(status({}))).toBeNull();
  const text = staleMenuText(status({ state: 'offline', stale: true }));
  expect(text).toContain('lebih dari sehari lalu');
  expect(text).toContain(new Date(lastSync).toLocaleString('id-ID', { dateStyle: 'medium' }));
  expect(staleMenuText(status({ state: 'offline', stale: true, lastSync: null }))).toContain(
    'belum pernah diperbarui',
  );
});

test('the banner follows the settled status and does not flash while a sync runs', () => {
  const b = banner();
  // Boot: nothing synced yet counts as stale, but the first sync is under way.
  b.set({ state: 'idle', stale: true, lastSync: null });
  b.set({ state: 'syncing', stale: true, lastSync: null });
  expect(b.text()).toBe('');
  b.set({ state: 'synced', stale: false });
  expect(b.text()).toBe('');

  // A day without a full sync: the clock flips `stale` while central is unreachable.
  b.set({ state: 'offline', stale: true, lastSync: Date.now() - 2 * DAY_MS });
  expect(b.text()).toContain('lebih dari sehari lalu');
  // A background retry leaves it in place; a sync that lands takes it away.
  b.set({ state: 'syncing', stale: true });
  expect(b.text()).toContain('lebih dari sehari lalu');
  // So does a resync after central was restored from a backup.
  b.set({ state: 'resyncing', stale: true });
  expect(b.text()).toContain('lebih dari sehari lalu');
  b.set({ state: 'synced', stale: false });
  expect(b.text()).toBe('');
});
