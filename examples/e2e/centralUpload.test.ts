import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openScreens, placeOrder } from './harness/screens';
import {
  relayCredential,
  startUploadEndpoint,
  type UploadEndpoint,
} from './harness/uploadEndpoint';
import { useDemo } from './harness/useDemo';

let upload: UploadEndpoint;
let dir: string;
let tokenFile: string;

beforeAll(async () => {
  upload = await startUploadEndpoint();
  dir = mkdtempSync(join(tmpdir(), 'ks-e2e-upload-'));
  tokenFile = join(dir, 'central.token');
  writeFileSync(tokenFile, `${relayCredential(1)}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await upload?.close();
  rmSync(dir, { recursive: true, force: true });
});

const demo = useDemo(() => [
  '--central-url',
  upload.url,
  '--central-token-file',
  tokenFile,
  '--log-level',
  'warn',
]);

async function waitForUploadText(page: Page, pattern: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    (source) => {
      const text = document.querySelector('[data-testid="central-upload"]')?.textContent ?? '';
      return new RegExp(source).test(text) ? text : false;
    },
    pattern.source,
    { timeout: 15_000 },
  );
  return (await handle.jsonValue()) as string;
}

test('kiosk and kitchen say how many events central has not got yet, that all are uploaded, and since when central is unreachable', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 1);
  await waitForUploadText(kiosk, /^central: unreachable · all uploaded · periksa koneksi internet/);

  const [orderId] = await placeOrder(kiosk, [201]);
  const shown = await waitForUploadText(
    kiosk,
    /^central: unreachable · \d+ events? not yet uploaded · periksa koneksi internet/,
  );
  expect(Number(/(\d+) event/.exec(shown)?.[1])).toBeGreaterThanOrEqual(1);
  await waitForUploadText(
    kitchen,
    /^central: unreachable · \d+ events? not yet uploaded · periksa koneksi internet/,
  );
  expect(orderId).toBeTruthy();

  upload.up = true;
  await waitForUploadText(kiosk, /^central: all uploaded$/);
  await waitForUploadText(kitchen, /^central: all uploaded$/);
  expect(upload.received.size).toBeGreaterThanOrEqual(1);

  // Down again after a success: the line says since when.
  upload.up = false;
  await placeOrder(kiosk, [202]);
  await waitForUploadText(
    kitchen,
    /^central: unreachable since \d{1,2}[:.]\d{2}( [AP]M)? · \d+ events? not yet uploaded · periksa koneksi internet/,
  );
});
