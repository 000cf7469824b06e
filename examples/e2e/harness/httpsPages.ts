import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type PreviewServer, preview } from 'vite';
import { configFile, type PageName, type PageServer } from './pages';
import { CLOUD_IP } from './trustedBrowser';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

/**
 * A built page served over HTTPS under a cloud host name (resolved to the cloud address by
 * the trusted browser), the way the users' PWAs come from the internet today.
 */
export function serveHttpsPage(
  page: PageName,
  outRoot: string,
  hostName: string,
  tls: TlsFiles,
): Promise<PageServer> {
  return servePageAt(page, outRoot, { hostName, ip: CLOUD_IP, tls });
}

/** A built page under `hostName` on `ip`: over HTTPS with `tls`, else plain HTTP. */
export async function servePageAt(
  page: PageName,
  outRoot: string,
  at: { hostName: string; ip: string; tls?: TlsFiles },
): Promise<PageServer> {
  const { hostName, ip, tls } = at;
  const server: PreviewServer = await preview({
    configFile: configFile(page),
    logLevel: 'warn',
    build: { outDir: join(outRoot, page) },
    preview: {
      port: 0,
      host: ip,
      strictPort: false,
      open: false,
      allowedHosts: [hostName],
      ...(tls
        ? { https: { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } }
        : {}),
    },
  });
  const { port } = server.httpServer.address() as AddressInfo;
  return { url: `${tls ? 'https' : 'http'}://${hostName}:${port}`, close: () => server.close() };
}
