import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore, type EventStore, type StoredEvent } from '../src/index.js';
import { createWriteQueue } from '../src/store/writeQueue.js';
import { newOrderEvent, removeTempDirs, tempDir } from './helpers.js';

let store: EventStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  removeTempDirs();
});

describe('write queue, one write per tick', () => {
  it('rolls a lone failing write back completely and keeps numbering from the last commit', async () => {
    const dir = tempDir('ks-queue-');
    const target = createSqliteEventStore({ dataDir: dir });
    store = target;
    const committed: number[] = [];
    const queue = createWriteQueue(target, (events: StoredEvent[]) =>
      committed.push(...events.map((e) => e.envelope.seq)),
    );
    const good = () => {
      const event = target.append(newOrderEvent());
      return { result: event.envelope.seq, events: [event] };
    };
    expect(await queue.submit(good)).toBe(1);
    await expect(
      queue.submit(() => {
        target.append(newOrderEvent());
        throw new Error('boom');
      }),
    ).rejects.toThrow();
    expect(await queue.submit(good)).toBe(2);
    expect(committed).toEqual([1, 2]);
    expect(target.countEvents()).toBe(2);
    expect(target.head('1')).toBe(2);
  });
});
