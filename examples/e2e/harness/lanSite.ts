import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Central, startCentral } from '../../central/src/central';
import { type HttpsFront, startHttpsFront } from './httpsFront';
import { serveHttpsPage } from './httpsPages';
import {
  CENTRAL_HOST,
  KIOSK_HOST,
  KITCHEN_HOST,
  type LanCertificates,
  RELAY_HOST,
} from './lanCertificates';
import type { PageServer } from './pages';
import { RelayProcess } from './relayProcess';
import { OUTLET_IP, setLocalNetworkAccess } from './trustedBrowser';

const SECRET = 'e2e-lan-secret-of-this-run';
// Central's own socket tokens: no relay holds this one.
const SOCKET_SECRET = 'e2e-lan-central-socket-secret-of-this-run';

export type LocalNetworkAnswer = 'granted' | 'denied' | 'unanswered';

export interface LanSiteOptions {
  pagesDir: string;
  browser: Browser;
  certs: LanCertificates;
  /**
   * How the relay serves: `tls` with the outlet's certificate files (the default), `auto`
   * issuing its own from the outlet CA (`--tls auto`), `untrusted` with a certificate from a
   * CA the browser does not know, `plain` HTTP.
   */
  relay?: 'tls' | 'auto' | 'untrusted' | 'plain';
  /** Extra `serve` flags, e.g. `--app` for shape b. */
  relayArgs?: string[];
  /** The scheme of the relay URL the pages are told; default the one the relay serves. */
  advertisedScheme?: 'http' | 'https';
}

/**
 * One outlet on a simulated LAN, for one test: the relay CLI on the outlet's address under
 * `relay.outlet.lan`, central behind HTTPS at `central.cloud.test` (telling the pages that
 * relay URL), and the kiosk and kitchen pages from the "cloud" over HTTPS. Each screen gets
 * its own browser context (its own IndexedDB, service worker and permissions).
 */
export class LanSite {
  readonly relay: RelayProcess;
  central!: Central;
  centralFront!: HttpsFront;
  kioskServer!: PageServer;
  kitchenServer!: PageServer;
  readonly pages: Page[] = [];
  readonly #options: LanSiteOptions;
  readonly #dataDir: string;
  readonly #contexts: BrowserContext[] = [];

  constructor(options: LanSiteOptions) {
    this.#options = options;
    this.#dataDir = mkdtempSync(join(tmpdir(), 'ks-e2e-lan-relay-'));
    const mode = options.relay ?? 'tls';
    this.relay = new RelayProcess({
      dataDir: this.#dataDir,
      secret: SECRET,
      host: OUTLET_IP,
      cliArgs: [...this.#tlsArgs(mode), ...(options.relayArgs ?? [])],
    });
  }

  #tlsArgs(mode: NonNullable<LanSiteOptions['relay']>): string[] {
    const { certs } = this.#options;
    if (mode === 'plain') return [];
    if (mode === 'auto') {
      // The outlet CA the browser trusts, as `kitchen-sync-relay cert` left it on this PC; the
      // relay issues its own server certificate from it at start.
      const tlsDir = join(this.#dataDir, 'tls');
      mkdirSync(tlsDir, { mode: 0o700 });
      const caDir = dirname(certs.outlet.caCertPath);
      copyFileSync(certs.outlet.caCertPath, join(tlsDir, 'ca.crt'));
      copyFileSync(join(caDir, 'ca.key'), join(tlsDir, 'ca.key'));
      chmodSync(join(tlsDir, 'ca.key'), 0o600);
      return ['--tls', 'auto', '--tls-dir', tlsDir, '--name', RELAY_HOST];
    }
    const tls = mode === 'untrusted' ? certs.rogue : certs.outlet;
    return ['--tls-cert', tls.certPath, '--tls-key', tls.keyPath];
  }

  /** The relay URL the pages are given: by name, as an outlet's IT would configure it. */
  get relayUrl(): string {
    const scheme =
      this.#options.advertisedScheme ??
      ((this.#options.relay ?? 'tls') === 'plain' ? 'http' : 'https');
    return `${scheme}://${RELAY_HOST}:${this.relay.port}`;
  }

  async start(): Promise<void> {
    const { certs, pagesDir } = this.#options;
    await this.relay.start();
    this.central = await startCentral({
      port: 0,
      relaySecret: SECRET,
      socketSecret: SOCKET_SECRET,
      relayUrl: this.relayUrl,
    });
    this.centralFront = await startHttpsFront(this.central.url, CENTRAL_HOST, certs.cloud);
    this.kioskServer = await serveHttpsPage('kiosk', pagesDir, KIOSK_HOST, certs.cloud);
    this.kitchenServer = await serveHttpsPage('kitchen', pagesDir, KITCHEN_HOST, certs.cloud);
  }

  #query(extra = ''): string {
    return `?central=${encodeURIComponent(this.centralFront.url)}${extra}`;
  }

  kioskUrl(base = this.kioskServer.url): string {
    return `${base}/${this.#query()}`;
  }

  kitchenUrl(tenant: number, base = this.kitchenServer.url): string {
    return `${base}/${this.#query(`&tenant=${tenant}`)}`;
  }

  /** A new screen (browser context) that answered the Local Network Access prompt so. */
  async open(url: string, localNetwork: LocalNetworkAnswer = 'granted'): Promise<Page> {
    const context = await this.#options.browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    this.#contexts.push(context);
    if (localNetwork !== 'unanswered') {
      await setLocalNetworkAccess(context, new URL(url).origin, localNetwork);
    }
    const page = context.pages()[0] ?? (await context.newPage());
    this.pages.push(page);
    await page.goto(url);
    return page;
  }

  /** The internet is down: central and the cloud page servers are gone. */
  async cloudDown(): Promise<void> {
    await this.kioskServer.close();
    await this.kitchenServer.close();
    await this.centralFront.close();
    await this.central.setOutage(true);
  }

  async stop(): Promise<void> {
    for (const context of this.#contexts) await context.close().catch(() => {});
    await this.kioskServer?.close().catch(() => {});
    await this.kitchenServer?.close().catch(() => {});
    await this.centralFront?.close();
    await this.central?.close();
    await this.relay.stop('SIGKILL');
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}
