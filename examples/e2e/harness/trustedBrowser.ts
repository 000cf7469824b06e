import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../test-support/chromium';

const run = promisify(execFile);

/**
 * The loopback addresses the LAN tests use, and the address space Chromium is told each one
 * is in: the "cloud" (page servers, central) is public, the outlet's relay private. Two
 * addresses rather than per-port overrides, so servers can take any free port after the
 * browser started; in `--ip-address-space-overrides` port 0 matches every port (Chromium 156).
 */
export const CLOUD_IP = '127.0.0.1';
export const OUTLET_IP = '127.0.0.2';

export interface TrustedBrowserOptions {
  /** PEM CA certificates the browser trusts for TLS servers, as an outlet's IT would install. */
  trustedCaFiles: string[];
  /** Host names resolved to the cloud address (127.0.0.1). */
  cloudHosts: string[];
  /** Host names resolved to the outlet's LAN address (127.0.0.2). */
  outletHosts: string[];
}

export interface TrustedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium on Linux trusts what the NSS database under `$HOME/.pki/nssdb` trusts, so the
 * browser gets a temp HOME whose database holds only the given CAs. Certificates are checked
 * for real: no --ignore-certificate-errors.
 */
export async function launchTrustedBrowser(
  options: TrustedBrowserOptions,
): Promise<TrustedBrowser> {
  const home = mkdtempSync(join(tmpdir(), 'ks-e2e-home-'));
  try {
    const nssDir = join(home, '.pki', 'nssdb');
    mkdirSync(nssDir, { recursive: true });
    const db = `sql:${nssDir}`;
    await run('certutil', ['-N', '--empty-password', '-d', db]);
    for (const [i, caFile] of options.trustedCaFiles.entries()) {
      // "C,," trusts the CA to issue TLS server certificates, nothing else.
      await run('certutil', ['-A', '-n', `e2e-ca-${i}`, '-t', 'C,,', '-i', caFile, '-d', db]);
    }
    const rules = [
      ...options.cloudHosts.map((host) => `MAP ${host} ${CLOUD_IP}`),
      ...options.outletHosts.map((host) => `MAP ${host} ${OUTLET_IP}`),
    ];
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        ...CHROMIUM_ARGS,
        `--host-resolver-rules=${rules.join(', ')}`,
        `--ip-address-space-overrides=${CLOUD_IP}:0=public,${OUTLET_IP}:0=private`,
      ],
      env: { ...process.env, HOME: home },
    });
    return {
      browser,
      async close() {
        await browser.close().catch(() => {});
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

// Chromium 156 splits the permission in two (LAN and loopback targets); a page asks for
// either by the one name `local-network-access`.
const LNA_PERMISSIONS = ['local-network-access', 'local-network', 'loopback-network'];

/**
 * What the user answered to the Local Network Access prompt for `origin`. playwright-core
 * can only grant, so a denial goes through CDP's Browser.setPermission.
 */
export async function setLocalNetworkAccess(
  context: BrowserContext,
  origin: string,
  setting: 'granted' | 'denied',
): Promise<void> {
  if (setting === 'granted') {
    await context.grantPermissions(['local-network-access'], { origin });
    return;
  }
  const browser = context.browser();
  if (!browser) throw new Error('a context of a launched browser is needed');
  const page = context.pages()[0] ?? (await context.newPage());
  const pageSession = await context.newCDPSession(page);
  const { targetInfo } = await pageSession.send('Target.getTargetInfo');
  await pageSession.detach();
  const session = await browser.newBrowserCDPSession();
  try {
    for (const name of LNA_PERMISSIONS) {
      await session.send('Browser.setPermission', {
        permission: { name },
        setting: 'denied',
        origin,
        browserContextId: targetInfo.browserContextId,
      });
    }
  } finally {
    await session.detach();
  }
}
