import { afterEach, beforeEach } from 'vitest';
import { TestBrowser, TestServer } from './harness.js';

export interface PagePerTest {
  readonly server: TestServer;
  readonly browser: TestBrowser;
}

/**
 * For each test of the calling file: a fresh TestServer serving `page` at `/` with `entry`
 * bundled as `/app.js`, and a fresh Chromium, both closed after the test.
 */
export function pagePerTest(page: string, entry: string): PagePerTest {
  const current = {} as { server: TestServer; browser: TestBrowser };
  beforeEach(async () => {
    current.server = await TestServer.start({
      pages: { '/': page },
      scripts: { '/app.js': entry },
    });
    current.browser = await TestBrowser.launch();
  }, 60_000);
  afterEach(async () => {
    await current.browser?.close();
    await current.server?.close();
  }, 30_000);
  return current;
}
