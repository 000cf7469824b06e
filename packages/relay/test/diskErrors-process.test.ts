import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureRoomToWrite } from '../src/store/roomToWrite.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { http, order, removeTempDirs, SECRET, tempDir, tokenFor } from './helpers.js';

// Real disks (this test runs as root on Linux), unmounted after: small tmpfs mounts that
// fill, and an ext4 image mounted errors=remount-ro, which the kernel switches to read-only
// when told it met an error (as after a failing sector).
let root: string;
let logDisk: string;
let dataDisk: string;
let ext4Disk: string;
let readOnlyDisk: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ks-disks-'));
  logDisk = join(root, 'log');
  dataDisk = join(root, 'data');
  ext4Disk = join(root, 'ext4');
  readOnlyDisk = join(root, 'ro');
  mkdirSync(readOnlyDisk);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnlyDisk]);
  for (const [dir, size] of [
    [logDisk, '1m'],
    [dataDisk, '4m'],
  ] as const) {
    mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  }
  const image = join(root, 'ext4.img');
  execFileSync('truncate', ['-s', '16M', image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  mkdirSync(ext4Disk);
  execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, ext4Disk]);
});

afterAll(() => {
  killAll();
  for (const dir of [logDisk, dataDisk, ext4Disk, readOnlyDisk])
    execFileSync('umount', ['-l', dir]);
  rmSync(root, { recursive: true, force: true });
});

/** What the kernel does on an ext4 error with errors=remount-ro: no write is taken any more. */
function diskError(dir: string): void {
  const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' })
    .trim()
    .split('/')
    .pop();
  writeFileSync(`/sys/fs/ext4/${device}/trigger_fs_error`, '1');
}

afterEach(() => {
  killAll();
  removeTempDirs();
});

/** Fills the disk of `dir` up to `leaveBytes` free; returns the filler to delete. */
function fill(dir: string, leaveBytes = 0): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) {
      const { bavail, bsize } = statfsSync(dir);
      if (bavail * bsize <= leaveBytes) break;
      writeSync(fd, block);
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

const publish = async (url: string, token: string) =>
  http(url, '/api/events', { token, body: { type: 'order:publish', payload: order() } });

/** Asks until `check` answers (the relay retries its log file once a second; stderr is batched). */
async function until<T>(check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let tries = 0; tries < 100; tries++) {
    const answer = await check();
    if (answer !== undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('never got there');
}

async function healthUntil(url: string, done: (body: Record<string, unknown>) => boolean) {
  return until(async () => {
    const { body } = await http(url, '/health');
    return done(body) ? body : undefined;
  });
}

describe('a relay process whose disks fill up', () => {
  it('keeps taking orders when the disk of its log file is full, says so once, and writes the log again when space returns', async () => {
    const logFile = join(logDisk, 'relay.log');
    const relay = await startCli(['--log-file', logFile], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: join(tempDir(), 'data'),
      KS_LOG_LEVEL: 'info',
    });
    const token = await tokenFor('pos');
    const filler = fill(logDisk);
    // ~300 bytes of log per order: the full disk refuses many batches, from writes and timer.
    for (let n = 1; n <= 200; n++) {
      const answer = await publish(relay.url, token);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: true, seq: n });
    }
    const failing = await healthUntil(relay.url, (body) => body.log !== undefined);
    expect(failing).toMatchObject({
      status: 'ok',
      storage: { ok: true },
      log: { ok: false, error: 'log_write_failed', cause: 'ENOSPC' },
    });
    expect(relay.child.exitCode).toBeNull();
    await until(() => (relay.stderr().includes('"code":"log_write_failed"') ? true : undefined));
    expect(relay.stderr()).not.toContain('uncaught exception');
    expect(relay.stderr().match(/"code":"log_write_failed"/g)).toHaveLength(1);

    unlinkSync(filler);
    await healthUntil(relay.url, (body) => (body.log as { ok: boolean }).ok);
    await until(() => (relay.stderr().includes('"code":"log_write_resumed"') ? true : undefined));
    const written = readFileSync(logFile, 'utf8');
    expect(written).toContain('"code":"log_write_failed"');
    expect(written.match(/"msg":"order published"/g)).toHaveLength(200);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('starts with its log file on a read-only disk, and says so once', async () => {
    const relay = await startCli(['--log-file', join(readOnlyDisk, 'relay.log')], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: join(tempDir(), 'data'),
    });
    const token = await tokenFor('pos');
    expect((await publish(relay.url, token)).body).toMatchObject({ ok: true, seq: 1 });
    expect((await http(relay.url, '/health')).body).toMatchObject({
      status: 'ok',
      log: { ok: false, error: 'log_write_failed', cause: 'EROFS' },
    });
    await until(() => (relay.stderr().includes('"code":"log_write_failed"') ? true : undefined));
    expect(relay.stderr().match(/"code":"log_write_failed"/g)).toHaveLength(1);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it.each([
    ['no space', 0],
    ['16 KiB', 16_384],
  ])(
    'refuses to start on a data disk with %s left with storage_full and what to do, no stack trace; starts once space is freed',
    async (_left, leaveBytes) => {
      const dataDir = join(dataDisk, `data-${leaveBytes}`);
      const logFile = join(tempDir(), 'relay.log');
      const env = { KS_SECRET: SECRET, KS_DATA_DIR: dataDir, KS_LOG_FILE: logFile };
      const first = await startCli([], env);
      const token = await tokenFor('pos');
      for (let n = 0; n < 5; n++) expect((await publish(first.url, token)).status).toBe(200);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const filler = fill(dataDisk, leaveBytes);
      try {
        const refused = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], env);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/the disk of the data dir .* is full .*\[storage_full\]/);
        expect(refused.stderr).not.toMatch(/\n\s+at /);
        expect(refused.stdout).not.toContain('listening');
        // `status` quotes it from the log file.
        const status = await runCli(['status', '--port', '9', '--lang', 'en'], {
          KS_LOG_FILE: logFile,
        });
        expect(status.stdout).toContain('[storage_full]');
      } finally {
        unlinkSync(filler);
      }
      const again = await startCli([], env);
      expect((await http(again.url, '/health')).body.head_seq).toBe(5);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    },
  );

  it('refuses a restart with storage_full when the disk filled while it ran, though its grown log still opens', async () => {
    const dataDir = join(dataDisk, 'data-filled-while-running');
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: dataDir };
    const first = await startCli([], env);
    const token = await tokenFor('pos');
    expect((await publish(first.url, token)).status).toBe(200);
    const filler = fill(dataDisk);
    try {
      // As in the on-call audit: orders are refused once the log's pages run out.
      await until(async () => {
        const answer = await publish(first.url, token);
        return answer.body.error?.code === 'storage_full' ? true : undefined;
      });
      first.child.kill('SIGTERM');
      await first.exited;
      const refused = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], env);
      expect(refused.stdout).not.toContain('listening');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /the disk of the data dir .* is full \(\d+ KiB free\).*\[storage_full\]/,
      );
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    } finally {
      unlinkSync(filler);
    }
    const again = await startCli([], env);
    expect((await http(again.url, '/health')).body.status).toBe('ok');
    expect((await publish(again.url, token)).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('refuses a start with less than the test block free: a short write is no room', () => {
    const dataDir = join(dataDisk, 'data-short-write');
    mkdirSync(dataDir, { recursive: true });
    const filler = fill(dataDisk, 64 * 1024);
    try {
      // The kernel takes what fits and says nothing: the block must be written whole.
      expect(() => ensureRoomToWrite(dataDir)).toThrow(
        expect.objectContaining({
          code: 'storage_full',
          message: expect.stringMatching(/is full/),
        }),
      );
    } finally {
      unlinkSync(filler);
    }
    expect(() => ensureRoomToWrite(dataDir)).not.toThrow();
  });

  it('answers orders on a data disk switched to read-only as not stored (kept pending), says storage_readonly, and refuses a restart with it', async () => {
    const dataDir = join(ext4Disk, 'data');
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: dataDir, KS_LOG_LEVEL: 'warn' };
    const relay = await startCli([], env);
    const token = await tokenFor('pos');
    expect((await publish(relay.url, token)).body).toMatchObject({ ok: true, seq: 1 });
    diskError(ext4Disk);
    const refused = await publish(relay.url, token);
    // 500 internal: every client keeps the order in its outbox and sends it again.
    expect(refused.status).toBe(500);
    expect(refused.body.error).toEqual({
      code: 'internal',
      message: "the relay's data disk is read-only; this request was not stored",
    });
    const health = await http(relay.url, '/health');
    expect(health.status).toBe(503);
    expect(health.body.storage).toMatchObject({ ok: false, error: 'storage_readonly' });
    relay.child.kill('SIGTERM');
    await relay.exited;

    const restart = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], env);
    expect(restart.code).toBe(1);
    expect(restart.stderr).toMatch(/the data dir .* is read-only .*\[storage_readonly\]/);
    expect(restart.stderr).not.toMatch(/\n\s+at /);
  });
});
