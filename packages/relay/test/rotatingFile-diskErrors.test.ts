import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRotatingFile } from '../src/lib/rotatingFile.js';
import { createLogger, logFileHealth } from '../src/logger.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
  removeTempDirs();
});

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(80) })}\n`;
const entries = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A disk that refuses writes (`code`) while `failing`, or takes only `room` bytes more. */
function disk(code = 'ENOSPC') {
  const state = { failing: false, room: Number.POSITIVE_INFINITY };
  const write = (fd: number, buffer: Buffer, offset: number) => {
    if (state.failing || state.room <= 0) {
      throw Object.assign(new Error(`${code}: no space left on device, write`), { code });
    }
    const length = Math.min(buffer.length - offset, state.room);
    state.room -= length;
    return writeSync(fd, buffer, offset, length);
  };
  return { state, write };
}

describe('the log file on a disk that fails', () => {
  it('never throws, says so once, keeps the lines, and writes them when the disk takes them again', () => {
    vi.useFakeTimers();
    const path = join(tempDir(), 'relay.log');
    const { state, write } = disk();
    const failed = vi.fn();
    const resumed = vi.fn();
    const file = createRotatingFile({
      path,
      write,
      retryWriteMs: 1_000,
      onWriteFailed: failed,
      onWriteResumed: resumed,
    });
    file.write(line(0));
    file.flush();
    state.failing = true;
    for (let n = 1; n < 100; n++) {
      // From a write (4 KiB batches) and from the timer: neither may throw.
      expect(() => file.write(line(n))).not.toThrow();
      expect(() => vi.advanceTimersByTime(200)).not.toThrow();
    }
    expect(failed).toHaveBeenCalledTimes(1);
    expect(failed.mock.calls[0]![0]).toMatchObject({ error: 'log_write_failed', cause: 'ENOSPC' });
    expect(file.health()).toMatchObject({ ok: false, error: 'log_write_failed', cause: 'ENOSPC' });
    expect(entries(path).map((e) => e.n)).toEqual([0]);

    state.failing = false;
    vi.advanceTimersByTime(1_000);
    expect(file.health()).toEqual({ ok: true });
    expect(resumed).toHaveBeenCalledTimes(1);
    const written = entries(path);
    // Where lines came late is said in the file, before them; none is lost or doubled.
    expect(written[1]).toMatchObject({ code: 'log_write_failed', cause: 'ENOSPC', dropped: 0 });
    expect(written.filter((e) => 'n' in e).map((e) => e.n)).toEqual([...Array(100).keys()]);
    file.destroy();
  });

  it('keeps at most maxPendingBytes waiting, and counts the lines it drops', () => {
    vi.useFakeTimers();
    const path = join(tempDir(), 'relay.log');
    const { state, write } = disk('EROFS');
    const file = createRotatingFile({ path, write, maxPendingBytes: 2_000, retryWriteMs: 1_000 });
    state.failing = true;
    for (let n = 0; n < 200; n++) file.write(line(n));
    vi.advanceTimersByTime(200);
    expect(file.health()).toMatchObject({ ok: false, cause: 'EROFS' });
    const { dropped } = file.health() as { dropped: number };
    // The batch the disk refused (4 KiB) is kept; past 2,000 bytes waiting, lines are counted.
    expect(dropped).toBeGreaterThan(150);
    state.failing = false;
    vi.advanceTimersByTime(1_000);
    const written = entries(path);
    expect(written[0]).toMatchObject({ code: 'log_write_failed', dropped });
    expect(written.filter((e) => 'n' in e)).toHaveLength(200 - dropped);
    file.destroy();
  });

  it('finishes a line a full disk cut short before anything else, so every line stays whole', () => {
    vi.useFakeTimers();
    const path = join(tempDir(), 'relay.log');
    const { state, write } = disk();
    const file = createRotatingFile({ path, write, retryWriteMs: 1_000 });
    state.room = 150;
    for (let n = 0; n < 5; n++) file.write(line(n));
    file.flush();
    expect(file.health()).toMatchObject({ ok: false });
    // A retry that writes nothing leaves the line cut short as it was.
    vi.advanceTimersByTime(1_000);
    state.room = Number.POSITIVE_INFINITY;
    file.write(line(5));
    vi.advanceTimersByTime(1_000);
    const written = entries(path);
    expect(written.filter((e) => 'n' in e).map((e) => e.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(written.filter((e) => e.code === 'log_write_failed')).toHaveLength(1);
    file.destroy();
  });

  it('leaves the logger working: lines go on reaching the console, the failure is said there once', () => {
    vi.useFakeTimers();
    const path = join(tempDir(), 'relay.log');
    const { state, write } = disk();
    const console: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        console.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ destination, file: { path, write, retryWriteMs: 1_000 } });
    expect(logFileHealth(logger)).toEqual({ ok: true });
    state.failing = true;
    for (let n = 0; n < 200; n++) {
      // 200 lines of ~100 bytes: several 4 KiB batches, each a write the disk refuses.
      expect(() => logger.info({ n, pad: 'x'.repeat(80) }, 'order published')).not.toThrow();
    }
    vi.advanceTimersByTime(2_000);
    const said = console.join('');
    expect(said.match(/"code":"log_write_failed"/g)).toHaveLength(1);
    expect(said.match(/order published/g)).toHaveLength(200);
    expect(logFileHealth(logger)).toMatchObject({ ok: false, cause: 'ENOSPC' });
    state.failing = false;
    vi.advanceTimersByTime(1_000);
    expect(logFileHealth(logger)).toEqual({ ok: true });
    expect(console.join('')).toContain('"code":"log_write_resumed"');
    expect(readFileSync(path, 'utf8').match(/order published/g)).toHaveLength(200);
  });
});
