/**
 * `pnpm bench:kitchen-views`: one kitchen screen with 500 open tickets of 6 lines (3 stations,
 * modifiers, some held courses) in headless Chromium with real IndexedDB. Figures: the time to
 * apply one event (a line bumped, in the whole list the feed publishes) to the board, three
 * station views, the expo view and four all-day counts (p50 / p99 / max of `--events`, default
 * 1000), and the time a reloaded screen takes from a new feed on the stored database to every
 * view built. Median of `--runs` runs (default 3).
 *
 * Then "N finished orders held": a screen with 50 open tickets of 3 lines, with none and with
 * `--finished` (default 1000) completed orders the feed keeps for recall, and the same views;
 * new orders one at a time (`--new`, default 200), each timed from the socket until expo shows
 * it. The two should cost the same.
 */
import { fileURLToPath } from 'node:url';
import { TestBrowser } from '../test/browser/harness.js';
import { TestServer } from '../test/browser/server.js';
import type { FinishedFigures } from './kitchen-views/finishedScenario.js';
import type { Figures } from './kitchen-views/scenario.js';

const argv = process.argv.slice(2);
const option = (name: string): number => Number(argv[argv.indexOf(name) + 1]);
const runs = option('--runs') || 3;
const events = option('--events') || 1000;
const finished = option('--finished') || 1000;
const newOrders = option('--new') || 200;
const TARGETS: Partial<Record<keyof Figures, number>> = { eventP99Ms: 2, reloadMs: 100 };

function medianOf<F extends object>(list: F[]): F {
  const keys = Object.keys(list[0] ?? {}) as Array<keyof F>;
  const median = {} as Record<keyof F, number>;
  for (const key of keys) {
    const values = list.map((f) => f[key] as number).sort((a, b) => a - b);
    median[key] = values[Math.floor(values.length / 2)] ?? NaN;
  }
  return median as F;
}

async function main(): Promise<void> {
  const server = await TestServer.start({
    pages: {
      '/': '<!doctype html><title>kitchen-views</title><script type="module" src="/app.js"></script>',
    },
    scripts: {
      '/app.js': fileURLToPath(new URL('./kitchen-views/browserEntry.ts', import.meta.url)),
    },
  });
  const browser = await TestBrowser.launch();
  let failed = false;
  try {
    const page = await browser.open(server.url('/'));
    await page.waitForFunction(() => 'kitchenViews' in globalThis, null, { timeout: 15_000 });
    const results: Figures[] = [];
    for (let i = 0; i < runs; i++) {
      results.push(
        await page.evaluate((o) => globalThis.kitchenViews.runScenario(o), {
          tickets: 500,
          linesPerTicket: 6,
          events,
          dbName: `bench-kitchen-views-${i}`,
        }),
      );
    }
    const figures = medianOf(results);
    console.log(
      `Chromium ${browser.context.browser()?.version() ?? ''} (headless), 500 tickets x 6 lines, ${events} events, median of ${runs} runs`,
    );
    for (const [key, value] of Object.entries(figures) as Array<[keyof Figures, number]>) {
      const target = TARGETS[key];
      const verdict =
        target === undefined
          ? ''
          : value <= target
            ? `  (target <= ${target} ms: ok)`
            : `  (target <= ${target} ms: MISSED)`;
      if (target !== undefined && value > target) failed = true;
      console.log(`  ${key.padEnd(14)} ${value.toFixed(3).padStart(9)} ms${verdict}`);
    }
    for (const held of [0, finished]) {
      const heldResults: FinishedFigures[] = [];
      for (let i = 0; i < runs; i++) {
        heldResults.push(
          await page.evaluate((o) => globalThis.kitchenViews.runFinishedScenario(o), {
            finished: held,
            open: 50,
            events: newOrders,
            dbName: `bench-kitchen-finished-${held}-${i}`,
          }),
        );
      }
      console.log(
        `${held} finished orders held, 50 open, ${newOrders} new orders, median of ${runs} runs`,
      );
      for (const [key, value] of Object.entries(medianOf(heldResults))) {
        console.log(`  ${key.padEnd(14)} ${value.toFixed(3).padStart(9)} ms`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (failed) process.exitCode = 1;
}

await main();
