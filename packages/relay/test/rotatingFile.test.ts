import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRotatingFile } from '../src/lib/rotatingFile.js';
import { createLogger } from '../src/logger.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(80) })}\n`;

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the rotating log file', () => {
  it.runIf(process.platform !== 'win32')(
    'is readable by the relay user only, rotated files too, whatever the umask',
    () => {
      const umask = process.umask(0o022);
      try {
        const path = join(tempDir(), 'logs', 'relay.log');
        const file = createRotatingFile({ path, maxBytes: 500, keep: 2 });
        for (let n = 0; n < 12; n++) {
          file.write(line(n));
          file.flush();
        }
        file.destroy();
        expect([path, `${path}.1`, `${path}.2`].map(modeOf)).toEqual([0o600, 0o600, 0o600]);
        expect(modeOf(join(path, '..'))).toBe(0o700);
      } finally {
        process.umask(umask);
      }
    },
  );

  it.runIf(process.platform !== 'win32')(
    'makes the log files an older release left readable private, and says so in the log',
    () => {
      const path = join(tempDir(), 'relay.log');
      writeFileSync(path, line(0));
      writeFileSync(`${path}.1`, line(-1));
      chmodSync(path, 0o644);
      chmodSync(`${path}.1`, 0o644);
      const file = createRotatingFile({ path });
      file.flush();
      file.destroy();
      expect([modeOf(path), modeOf(`${path}.1`)]).toEqual([0o600, 0o600]);
      const said = readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(said[1]).toMatchObject({ level: 40, code: 'log_file_made_private' });
      expect(said[1].msg).toContain(`${path} (644 → 600), ${path}.1 (644 → 600)`);
    },
  );

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

  it('keeps logging when a rotation fails, says so once, and rotates once it can', () => {
    vi.useFakeTimers();
    const path = join(tempDir(), 'logs', 'relay.log');
    let held = true;
    const rename = (from: string, to: string) => {
      if (held && from === path) {
        throw Object.assign(new Error(`EBUSY: resource busy or locked, rename '${from}'`), {
          code: 'EBUSY',
        });
      }
      renameSync(from, to);
    };
    const file = createRotatingFile({
      path,
      maxBytes: 1_000,
      keep: 2,
      retryRotationMs: 60_000,
      rename,
    });
    for (let n = 0; n < 30; n++) {
      file.write(line(n));
      expect(() => file.flush()).not.toThrow();
    }
    // Every line is there, past maxBytes, with one warning.
    const grown = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(grown.filter((l) => l.code === 'log_rotation_failed')).toHaveLength(1);
    expect(grown.filter((l) => 'n' in l).map((l) => l.n)).toEqual([...Array(30).keys()]);
    expect(existsSync(`${path}.1`)).toBe(false);
    // Tried again later, not at every flush; then it works.
    held = false;
    file.write(line(30));
    file.flush();
    expect(existsSync(`${path}.1`)).toBe(false);
    vi.advanceTimersByTime(60_000);
    file.write(line(31));
    file.flush();
    file.destroy();
    vi.useRealTimers();
    const rotated = readFileSync(`${path}.1`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rotated.filter((l) => 'n' in l).map((l) => l.n)).toEqual([...Array(31).keys()]);
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).n),
    ).toEqual([31]);
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
