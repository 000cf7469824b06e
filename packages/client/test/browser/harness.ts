import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../../test-support/chromium.js';

export type { AnswerRule, RecordedPost } from './backend.js';
export { TestBackend } from './backend.js';
export type { TestServerOptions } from './server.js';
export { TestServer } from './server.js';

/**
 * Debian's Chromium with a persistent profile: `restart()` closes the browser and opens it again
 * on the same profile, so service workers, caches and IndexedDB survive as on a real kiosk.
 */
export class TestBrowser {
  readonly userDataDir: string;
  #context: BrowserContext | undefined;

  private constructor(userDataDir: string) {
    this.userDataDir = userDataDir;
  }

  static async launch(): Promise<TestBrowser> {
    const browser = new TestBrowser(await mkdtemp(join(tmpdir(), 'ks-chromium-')));
    await browser.#open();
    return browser;
  }

  get context(): BrowserContext {
    if (!this.#context) throw new Error('browser is closed');
    return this.#context;
  }

  /** A new tab on `url`, waited for until loaded. */
  async open(url: string): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 15_000 });
    return page;
  }

  /**
   * Closes the browser and opens it again on the same profile. `offline` applies from the first
   * moment, before a worker woken by the restart (e.g. for a pending sync) can fetch.
   */
  async restart(options: { offline?: boolean } = {}): Promise<void> {
    await this.#context?.close();
    this.#context = undefined;
    await this.#open(options.offline ?? false);
  }

  /** Closes the browser and deletes the profile. */
  async close(): Promise<void> {
    await this.#context?.close();
    this.#context = undefined;
    await rm(this.userDataDir, { recursive: true, force: true });
  }

  async #open(offline = false): Promise<void> {
    this.#context = await chromium.launchPersistentContext(this.userDataDir, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      offline,
      timeout: 30_000,
    });
    // The profile's first tab; tests open their own.
    for (const page of this.#context.pages()) await page.close();
  }
}
