import { describe, expect, it, vi } from 'vitest';
import { readable, readonly, writable } from '../../../src/store.js';

describe('store', () => {
  it('calls a subscriber at once, then on every change, and stops after unsubscribe', () => {
    const store = writable(1);
    const seen: number[] = [];
    const unsubscribe = store.subscribe((v) => seen.push(v));
    store.set(2);
    store.set(2);
    store.update((v) => v + 1);
    unsubscribe();
    store.set(9);
    expect(seen).toEqual([1, 2, 3]);
    expect(store.get()).toBe(9);
  });

  it('runs start with the first subscriber and its cleanup after the last', () => {
    const log: string[] = [];
    const store = readable(0, (set) => {
      log.push('start');
      set(5);
      return () => log.push('stop');
    });
    const a = store.subscribe(() => {});
    const b = store.subscribe(() => {});
    expect(store.get()).toBe(5);
    a();
    a();
    expect(log).toEqual(['start']);
    b();
    expect(log).toEqual(['start', 'stop']);
    store.subscribe(() => {});
    expect(log).toEqual(['start', 'stop', 'start']);
  });

  it('keeps notifying when a subscriber throws, reporting the error asynchronously', () => {
    const reported: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => void reported.push(fn));
    const store = writable('a');
    const seen: string[] = [];
    const bug = new Error('subscriber bug');
    store.subscribe((v) => {
      if (v === 'b') throw bug;
    });
    store.subscribe((v) => seen.push(v));
    store.set('b');
    expect(seen).toEqual(['a', 'b']);
    expect(reported).toHaveLength(1);
    expect(() => reported[0]?.()).toThrow(bug);
  });

  it('readonly exposes no setter', () => {
    const view = readonly(writable(1));
    expect(Object.keys(view).sort()).toEqual(['get', 'subscribe']);
  });
});
