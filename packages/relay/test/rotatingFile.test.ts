import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRotatingFile } from '../src/lib/rotatingFile.js';
import { createLogger } from '../src/logger.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(80) })}\n`;

describe('the rotating log file', () => {
  it('rotates at maxBytes and keeps only `keep` old files', () => {
    const path = join(tempDir(), 'logs', 'relay.log');
    const file = createRotatingFile({ path, maxBytes: 1_000, keep: 2 });
    for (let n = 0; n < 60; n++) {
      file.write(line(n));
      file.flush();
    }
    file.destroy();
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const name of [path, `${path}.1`, `${path}.2`]) {
      expect(readFileSync(name).length).toBeLessThanOrEqual(1_000);
    }
    // The newest lines are in the current file, the ones before them in .1.
    expect(readFileSync(path, 'utf8')).toContain('"n":59');
    const previous = readFileSync(`${path}.1`, 'utf8').trim().split('\n');
    const current = readFileSync(path, 'utf8').trim().split('\n');
    expect(JSON.parse(previous.at(-1)!).n + 1).toBe(JSON.parse(current[0]!).n);
  });

  it('gets every logger line as JSON besides the console', () => {
    vi.useFakeTimers();
    const path = join(tempDir(), 'relay.log');
    const console: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        console.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ destination, file: { path, flushMs: 200 } });
    logger.info({ order_id: 'o-1' }, 'order published');
    // Batched: on disk at the next flush, not per line.
    expect(readFileSync(path, 'utf8')).toBe('');
    vi.advanceTimersByTime(200);
    expect(console.join('')).toContain('order published');
    expect(JSON.parse(readFileSync(path, 'utf8').trim())).toMatchObject({
      msg: 'order published',
      order_id: 'o-1',
    });
    vi.useRealTimers();
  });
});
