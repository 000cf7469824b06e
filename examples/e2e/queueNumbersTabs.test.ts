import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../test-support/chromium';

// Two tabs (or two windows a browser restored after a crash) of one kiosk take queue numbers at
// the same moments: each number must be handed out once. The kiosk's own modules, compiled as
// they are, on a page of their own, so the test can take many numbers fast.
const SOURCES = new URL('../kiosk/src/', import.meta.url);
const PAGE = `<!doctype html><script type="module">
  import { indexedDbCounters, storageCounters } from './counterStore.js';
  import { QueueNumbers } from './queueNumbers.js';
  const numbers = new QueueNumbers(indexedDbCounters(indexedDB, localStorage), 1, 'A');
  // The release before kept the count in localStorage alone, under the same key.
  const before = new QueueNumbers(storageCounters(localStorage), 1, 'A');
  window.takeAsBefore = () => before.next(new Date());
  window.take = async (count) => {
    const taken = [];
    for (let i = 0; i < count; i += 1) {
      taken.push(await numbers.next(new Date()));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    }
    return taken;
  };
  window.ready = true;
</script>`;

/** A kiosk module as the browser can load it: TypeScript stripped, imports with `.js`. */
function compiled(name: string): string {
  const source = readFileSync(new URL(`${name}.ts`, SOURCES), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return outputText.replace(/from '(\.\/[^']+)'/g, "from '$1.js'");
}

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const name = /^\/(\w+)\.js$/.exec(request.url ?? '')?.[1];
    if (name) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(compiled(name));
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test('two tabs of one kiosk never hand out the same queue number', async () => {
  const context = await browser.newContext();
  const tabs = await Promise.all([context.newPage(), context.newPage()]);
  for (const tab of tabs) {
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
  }
  const taken = await Promise.all(
    tabs.map((tab) =>
      tab.evaluate(() =>
        (window as unknown as { take(count: number): Promise<string[]> }).take(40),
      ),
    ),
  );
  const all = taken.flat();
  expect(new Set(all).size).toBe(80);
  expect([...all].sort()).toEqual(
    Array.from({ length: 80 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`),
  );
  await context.close();
});

test('while a kiosk is upgraded, a tab of the release before and a new tab count on from each other', async () => {
  const context = await browser.newContext();
  const [old, upgraded] = await Promise.all([context.newPage(), context.newPage()]);
  for (const tab of [old, upgraded]) {
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
  }
  type Kiosk = { take(count: number): Promise<string[]>; takeAsBefore(): Promise<string> };
  const asBefore = () => old.evaluate(() => (window as unknown as Kiosk).takeAsBefore());
  const taken = [await asBefore(), await asBefore()];
  taken.push(...(await upgraded.evaluate(() => (window as unknown as Kiosk).take(2))));
  taken.push(await asBefore());
  taken.push(...(await upgraded.evaluate(() => (window as unknown as Kiosk).take(1))));
  expect(taken).toEqual(['A001', 'A002', 'A003', 'A004', 'A005', 'A006']);
  await context.close();
});
