import { describe, expect, it, vi } from 'vitest';
import { Listeners } from '../../../src/lib/listeners.js';

describe('Listeners', () => {
  it('a listener that throws neither stops the others nor reaches the emitter', async () => {
    const reported: unknown[] = [];
    // The error is re-thrown in a microtask so it still reaches the console and trackers.
    const queue = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      try {
        task();
      } catch (error) {
        reported.push(error);
      }
    });
    const listeners = new Listeners();
    const heard: string[] = [];
    listeners.on('event', () => {
      throw new Error('app bug');
    });
    listeners.on('event', (...args: never[]) => heard.push(String(args[0])));
    expect(() => listeners.emit('event', 'a')).not.toThrow();
    listeners.emit('event', 'b');
    expect(heard).toEqual(['a', 'b']);
    expect(reported.map((e) => (e as Error).message)).toEqual(['app bug', 'app bug']);
    queue.mockRestore();
  });

  it('on() returns an unbind; clear() removes every listener', () => {
    const listeners = new Listeners();
    const heard: string[] = [];
    const off = listeners.on('a', () => heard.push('a'));
    listeners.on('b', () => heard.push('b'));
    listeners.emit('a');
    off();
    listeners.emit('a');
    listeners.emit('b');
    listeners.clear();
    listeners.emit('b');
    expect(heard).toEqual(['a', 'b']);
  });

  it('a listener added while an event is emitted hears the next one, not this one', () => {
    const listeners = new Listeners();
    const heard: string[] = [];
    listeners.on('x', () => {
      heard.push('first');
      listeners.on('x', () => heard.push('late'));
    });
    listeners.emit('x');
    expect(heard).toEqual(['first']);
  });
});
