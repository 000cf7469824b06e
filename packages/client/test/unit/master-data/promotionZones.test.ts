import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DB_NAME } from '../../../src/master-data/masterDataDb.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';
import { ids } from './setup.js';

const { msw, terminal } = centralSuite();

// Node applies a new process.env.TZ at once: the tablet carried from Jakarta to Bali.
const JAKARTA = 'Asia/Jakarta'; // WIB, UTC+7
const BALI = 'Asia/Makassar'; // WITA, UTC+8
const zoneAtStart = process.env.TZ;
afterEach(() => {
  if (zoneAtStart === undefined) delete process.env.TZ;
  else process.env.TZ = zoneAtStart;
});

const at = (iso: string) => new Date(iso).getTime();
/** 00:30 on 31 Dec in Bali, still 23:30 on 30 Dec in Jakarta. */
const BALI_FIRST_HOUR = at('2026-12-30T16:30:00Z');
/** 00:30 on 1 Jan in Bali, still 23:30 on 31 Dec in Jakarta. */
const BALI_NEXT_DAY = at('2026-12-31T16:30:00Z');

describe('a date-only promotion window is decided in the zone the terminal reads in', () => {
  it('synced in Jakarta, read in Bali: the day starts and ends at Bali midnight', async () => {
    msw
      .use(new FakeCentral())
      .promotions.upsert({ id: 'eve', start_date: '2026-12-31', end_date: '2026-12-31' });
    process.env.TZ = JAKARTA;
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    process.env.TZ = BALI;
    expect(ids(await kiosk.service.getActivePromotions(BALI_FIRST_HOUR))).toEqual(['eve']);
    expect(ids(await kiosk.service.getActivePromotions(BALI_NEXT_DAY))).toEqual([]);

    process.env.TZ = JAKARTA;
    expect(ids(await kiosk.service.getActivePromotions(BALI_FIRST_HOUR))).toEqual([]);
    expect(ids(await kiosk.service.getActivePromotions(BALI_NEXT_DAY))).toEqual(['eve']);
  });

  it('a row an earlier release stored with Bali midnights is read by Jakarta time', async () => {
    msw.use(new FakeCentral());
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    await kiosk.close();
    // As releases before this one wrote it in Bali: the day's bounds fixed at WITA midnights.
    await putRow(kiosk.idb, {
      id: 'eve',
      version: 1,
      start_date: '2026-12-31',
      end_date: '2026-12-31',
      _ks_start: at('2026-12-30T16:00:00Z'),
      _ks_end: at('2026-12-31T16:00:00Z') - 1,
    });

    process.env.TZ = JAKARTA;
    const reopened = kiosk.open();
    expect(ids(await reopened.getActivePromotions(BALI_NEXT_DAY))).toEqual(['eve']);
    expect(ids(await reopened.getActivePromotions(BALI_FIRST_HOUR))).toEqual([]);
    expect(await reopened.getActivePromotions(at('2026-12-31T17:00:00Z'))).toEqual([]);
    // The internal bounds stay internal.
    expect(await reopened.getActivePromotions(BALI_NEXT_DAY)).toEqual([
      { id: 'eve', version: 1, start_date: '2026-12-31', end_date: '2026-12-31' },
    ]);
  });

  it('west of UTC the last day runs past UTC midnight to its own midnight', async () => {
    msw.use(new FakeCentral()).promotions.upsert({ id: 'eve', end_date: '2026-12-31' });
    process.env.TZ = 'Pacific/Honolulu'; // UTC−10
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getActivePromotions(at('2027-01-01T09:59:59.999Z')))).toEqual([
      'eve',
    ]);
    expect(await kiosk.service.getActivePromotions(at('2027-01-01T10:00:00Z'))).toEqual([]);
  });

  it('timestamps with an offset mean one instant wherever the terminal is', async () => {
    msw.use(new FakeCentral()).promotions.upsert({
      id: 'lunch',
      start_date: '2026-12-31T11:00:00+08:00',
      end_date: '2026-12-31T14:00:00+08:00',
    });
    process.env.TZ = JAKARTA;
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    for (const zone of [JAKARTA, BALI]) {
      process.env.TZ = zone;
      expect(ids(await kiosk.service.getActivePromotions(at('2026-12-31T03:00:00Z')))).toEqual([
        'lunch',
      ]);
      expect(await kiosk.service.getActivePromotions(at('2026-12-31T06:00:00.001Z'))).toEqual([]);
    }
  });
});

function putRow(idb: IDBFactory, row: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = idb.open(DEFAULT_DB_NAME);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction('promotions', 'readwrite');
      tx.objectStore('promotions').put(row);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
