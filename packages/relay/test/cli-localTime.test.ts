import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthResponse } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastLoggedProblem } from '../src/cli/lastLoggedProblem.js';
import { localTime } from '../src/cli/localTime.js';
import { describeHealth } from '../src/cli/status.js';
import { STATUS_TEXTS_ID } from '../src/cli/statusTextsId.js';
import { runCli } from './cliProcess.js';
import { removeTempDirs, tempDir } from './helpers.js';

// Node reads TZ again whenever it is assigned: each test sets the zone its PC would have.
const zoneBefore = process.env.TZ;
beforeEach(() => {
  process.env.TZ = 'Asia/Makassar'; // WITA, UTC+8, no daylight saving
});
afterEach(() => {
  if (zoneBefore === undefined) delete process.env.TZ;
  else process.env.TZ = zoneBefore;
  removeTempDirs();
});

const ERROR_AT = Date.parse('2026-12-06T07:44:55.232Z');

const fullDisk = (): HealthResponse => ({
  status: 'ok',
  uptime: 60,
  connections: 0,
  clients: { pos: 0, kitchen: 0, monitor: 0 },
  head_seq: 1,
  store: 'sqlite',
  storage: { ok: false, error: 'storage_full', since: '2026-12-06T07:44:55.232Z' },
  version: '0.1.0',
  timestamp: '2026-12-06T07:50:00.000Z',
});

describe('times status shows', () => {
  it("are this PC's local time with its offset", () => {
    expect(localTime(ERROR_AT)).toBe('2026-12-06 15:44:55 (UTC+08:00)');
    expect(localTime('2026-12-06T07:44:55.232Z')).toBe('2026-12-06 15:44:55 (UTC+08:00)');
    process.env.TZ = 'America/St_Johns'; // UTC-3:30 in December
    expect(localTime(ERROR_AT)).toBe('2026-12-06 04:14:55 (UTC-03:30)');
    process.env.TZ = 'UTC';
    expect(localTime(ERROR_AT)).toBe('2026-12-06 07:44:55 (UTC+00:00)');
    expect(localTime('not a time')).toBe('not a time');
  });

  it("say since when the disk is full in the PC's time, in both languages", () => {
    expect(describeHealth('http://127.0.0.1:3001', fullDisk()).text).toContain(
      'THE DISK IS FULL since 2026-12-06 15:44:55 (UTC+08:00)',
    );
    expect(
      describeHealth('http://127.0.0.1:3001', fullDisk(), { texts: STATUS_TEXTS_ID }).text,
    ).toContain('DISK PENUH sejak 2026-12-06 15:44:55 (UTC+08:00)');
  });

  it("say since when central's orders stopped coming in the PC's time", () => {
    const quiet: HealthResponse = {
      ...fullDisk(),
      storage: { ok: true },
      bridge: {
        state: 'synced',
        pendingEvents: 0,
        lagSeconds: 0,
        lastSuccessAt: '2026-12-06T07:49:00.000Z',
        lastErrorCode: null,
        downlinkCursor: 3,
        downlinkState: 'backoff',
        downlinkLastSuccessAt: '2026-12-06T07:44:55.232Z',
        downlinkLastErrorCode: 'http_502',
      },
    };
    expect(describeHealth('http://127.0.0.1:3001', quiet).text).toContain(
      'none received since 2026-12-06 15:44:55 (UTC+08:00) (backoff',
    );
  });

  it("quote the log's last error at the PC's time, in both languages", async () => {
    const logFile = join(tempDir('ks-localtime-'), 'relay.log');
    writeFileSync(logFile, `${JSON.stringify({ level: 60, time: ERROR_AT, msg: 'boom' })}\n`);
    expect(lastLoggedProblem(logFile)).toEqual({
      time: '2026-12-06 15:44:55 (UTC+08:00)',
      msg: 'boom',
    });
    for (const lang of ['en', 'id']) {
      const down = await runCli(['status', '--port', '9', '--lang', lang], {
        KS_LOG_FILE: logFile,
        TZ: 'Asia/Makassar',
      });
      expect(down.stdout, lang).toContain('(2026-12-06 15:44:55 (UTC+08:00))');
    }
  });
});
