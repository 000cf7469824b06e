import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '../../../test-support/chromium';
import { type Central, type CentralOptions, startCentral } from '../../central/src/central';
import { type PageServer, servePage } from './pages';
import { RelayProcess } from './relayProcess';

const SECRET = 'e2e-secret-of-this-run';
// Central's own socket tokens: no relay holds this one.
const SOCKET_SECRET = 'e2e-central-socket-secret-of-this-run';

/**
 * One whole demo on loopback for one test: the relay as a child process (so it can be
 * killed), central in-process (so it can go down), both pages served from the build, and a
 * fresh browser context per screen (fresh IndexedDB, fresh service worker).
 */
export class Demo {
  readonly relay: RelayProcess;
  central!: Central;
  kioskServer!: PageServer;
  kitchenServer!: PageServer;
  pickupServer!: PageServer;
  browser!: Browser;
  readonly #dataDir: string;
  readonly #contexts: BrowserContext[] = [];
  readonly pages: Page[] = [];
  readonly #pagesDir: string;

  /** Beside the relay's data dir, not in it: how far off the relay's clock is (ms). */
  get #clockShiftFile(): string {
    return `${this.#dataDir}.clock-shift`;
  }

  /** Sets the relay PC's clock `ms` off (ahead when positive), from its next reading on. */
  shiftRelayClock(ms: number): void {
    writeFileSync(this.#clockShiftFile, String(ms));
  }

  /** `relayArgs`: run the relay CLI with these flags instead of the reference script. */
  constructor(pagesDir: string, relayArgs?: string[]) {
    this.#pagesDir = pagesDir;
    this.#dataDir = mkdtempSync(join(tmpdir(), 'ks-e2e-relay-'));
    this.shiftRelayClock(0);
    this.relay = new RelayProcess({
      dataDir: this.#dataDir,
      secret: SECRET,
      clockShiftFile: this.#clockShiftFile,
      ...(relayArgs ? { cliArgs: relayArgs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.relay.start();
    this.central = await startCentral({
      port: 0,
      relaySecret: SECRET,
      socketSecret: SOCKET_SECRET,
      relayPort: this.relay.port,
    });
    this.kioskServer = await servePage('kiosk', this.#pagesDir);
    this.kitchenServer = await servePage('kitchen', this.#pagesDir);
    this.pickupServer = await servePage('pickup', this.#pagesDir);
    this.browser = await launchChromium();
  }

  /**
   * Central stopped and started again on its port, e.g. as a release from before the socket
   * token went in the subprotocol (`{ socketTokenInSubprotocol: false }`) or after it: an
   * upgrade (or a rollback) in place. What central held in memory is gone, as on a new host.
   */
  async restartCentral(options: Pick<CentralOptions, 'socketTokenInSubprotocol'>): Promise<void> {
    const port = this.central.port;
    await this.central.close();
    this.central = await startCentral({
      port,
      relaySecret: SECRET,
      socketSecret: SOCKET_SECRET,
      relayPort: this.relay.port,
      ...options,
    });
  }

  kioskUrl(): string {
    return `${this.kioskServer.url}/?central=${encodeURIComponent(this.central.url)}`;
  }

  kitchenUrl(tenant: number): string {
    return `${this.kitchenServer.url}/?tenant=${tenant}&central=${encodeURIComponent(this.central.url)}`;
  }

  /** A kitchen screen of `tenant` in a mode: `{ station: 'wok' }` or `{ expo: '' }`. */
  kitchenModeUrl(tenant: number, mode: Record<string, string>): string {
    const query = new URLSearchParams(mode).toString().replace(/=(&|$)/g, '$1');
    return `${this.kitchenUrl(tenant)}&${query}`;
  }

  pickupUrl(): string {
    return `${this.pickupServer.url}/?central=${encodeURIComponent(this.central.url)}`;
  }

  /**
   * `prepare` runs before the page loads: a fake clock, watching its WebSockets from the first;
   * `contextOptions`: e.g. `{ hasTouch: true }` for a touchscreen.
   */
  async open(
    url: string,
    prepare?: (page: Page) => unknown,
    contextOptions: BrowserContextOptions = {},
  ): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1280, height: 800 },
      ...contextOptions,
    });
    this.#contexts.push(context);
    const page = await context.newPage();
    this.pages.push(page);
    await prepare?.(page);
    await page.goto(url);
    return page;
  }

  async stop(): Promise<void> {
    for (const context of this.#contexts) await context.close().catch(() => {});
    await this.browser?.close().catch(() => {});
    await this.kioskServer?.close();
    await this.kitchenServer?.close();
    await this.pickupServer?.close();
    await this.central?.close();
    await this.relay.stop('SIGKILL');
    rmSync(this.#dataDir, { recursive: true, force: true });
    rmSync(this.#clockShiftFile, { force: true });
  }
}
