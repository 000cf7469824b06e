import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { type LanCertificates, lanHosts, makeLanCertificates } from './lanCertificates';
import { LanSite, type LanSiteOptions } from './lanSite';
import { RESULTS_DIR, screenshot } from './screens';
import { launchTrustedBrowser, type TrustedBrowser } from './trustedBrowser';

export interface Lan {
  readonly certs: LanCertificates;
  /** A started outlet for this test; stopped after it. */
  site(options?: Omit<LanSiteOptions, 'pagesDir' | 'browser' | 'certs'>): Promise<LanSite>;
}

/**
 * One trusted browser and one set of certificates per file (launching Chromium is the slow
 * part), a fresh outlet per test; on failure every open screen is saved under
 * e2e/test-results/.
 */
export function useLan(): Lan {
  let dir = '';
  let certs: LanCertificates | undefined;
  let browser: TrustedBrowser | undefined;
  let sites: LanSite[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ks-e2e-lan-certs-'));
    certs = await makeLanCertificates(dir);
    browser = await launchTrustedBrowser({
      // The rogue CA is left out on purpose: its certificates must be refused.
      trustedCaFiles: [certs.outlet.caCertPath, certs.cloud.caCertPath],
      ...lanHosts,
    });
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      const out = join(RESULTS_DIR, context.task.name.replace(/[^\w-]+/g, '-').slice(0, 80));
      const pages = sites.flatMap((site) => site.pages);
      await Promise.all(
        pages.map((page, i) => screenshot(page, out, `screen-${i}`).catch(() => '')),
      );
    }
    for (const site of sites) await site.stop();
    sites = [];
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get certs() {
      if (!certs) throw new Error('useLan() certificates exist only inside a test');
      return certs;
    },
    async site(options = {}) {
      if (!browser || !certs) throw new Error('useLan() sites exist only inside a test');
      const site = new LanSite({
        ...options,
        pagesDir: inject('pagesDir'),
        browser: browser.browser,
        certs,
      });
      sites.push(site);
      await site.start();
      return site;
    },
  };
}
