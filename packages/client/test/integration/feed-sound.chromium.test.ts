import { fileURLToPath } from 'node:url';
import type { ConsoleMessage, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pagePerTest } from '../browser/pagePerTest.js';

const ENTRY = fileURLToPath(new URL('./fixtures/soundPage.ts', import.meta.url));
const PAGE =
  '<!doctype html><title>kitchen</title><button id="sound">Sound on</button>' +
  '<script type="module" src="/app.js"></script>';

interface SoundPage {
  soundPage?: { newOrder(): Promise<void> };
  audioCounts: { contexts: number; beeps: number };
}

const served = pagePerTest(PAGE, ENTRY);

/** Counts AudioContexts and beeps in the page, from before its script runs. */
function countAudio(): void {
  const Original = globalThis.AudioContext;
  const counts = { contexts: 0, beeps: 0 };
  Object.assign(globalThis, { audioCounts: counts });
  globalThis.AudioContext = class extends Original {
    constructor() {
      super();
      counts.contexts++;
    }
    override createOscillator(): OscillatorNode {
      counts.beeps++;
      return super.createOscillator();
    }
  };
}

/** The kitchen page, loaded with the counters in place; its first order arrived untouched. */
async function openKitchen(): Promise<{ page: Page; console: string[] }> {
  const page = await served.browser.open(served.server.url('/'));
  await page.addInitScript(countAudio);
  const messages: string[] = [];
  page.on('console', (message: ConsoleMessage) => messages.push(message.text()));
  const ready = page.waitForEvent('console', {
    predicate: (message) => message.text() === 'sound-page-ready counted',
    timeout: 15_000,
  });
  await page.reload({ waitUntil: 'load' });
  await ready;
  return { page, console: messages };
}

const audioCounts = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as SoundPage).audioCounts);

describe('kitchen feed sound in Chromium', () => {
  it('creates no AudioContext before a user gesture, so Chromium logs no autoplay warning', async () => {
    const { page, console } = await openKitchen();
    expect(await audioCounts(page)).toEqual({ contexts: 0, beeps: 0 });
    expect(console.filter((text) => /AudioContext/.test(text))).toEqual([]);
  });

  it('beeps for new orders once unlockAudio() ran from a click', async () => {
    const { page, console } = await openKitchen();
    await page.click('#sound');
    await page.waitForFunction(
      () => (globalThis as unknown as SoundPage).audioCounts.contexts === 1,
      null,
      { timeout: 5_000 },
    );
    await page.evaluate(() => (globalThis as unknown as SoundPage).soundPage?.newOrder());
    await page.evaluate(() => (globalThis as unknown as SoundPage).soundPage?.newOrder());
    expect(await audioCounts(page)).toEqual({ contexts: 1, beeps: 2 });
    expect(console.filter((text) => /AudioContext/.test(text))).toEqual([]);
  });
});
