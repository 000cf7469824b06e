import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';

export type PageName = 'kiosk' | 'kitchen' | 'pickup';

const EXAMPLES = fileURLToPath(new URL('../..', import.meta.url));

export function configFile(page: PageName): string {
  return join(EXAMPLES, page, 'vite.config.ts');
}

/** Production builds of the pages into `outRoot/<page>`, the way `pnpm start` serves them. */
export async function buildPages(outRoot: string): Promise<void> {
  for (const page of ['kiosk', 'kitchen', 'pickup'] as const) {
    await build({
      configFile: configFile(page),
      logLevel: 'warn',
      build: { outDir: join(outRoot, page), emptyOutDir: true },
    });
  }
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function servePage(page: PageName, outRoot: string): Promise<PageServer> {
  const server: PreviewServer = await preview({
    configFile: configFile(page),
    logLevel: 'warn',
    build: { outDir: join(outRoot, page) },
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false },
  });
  const { port } = server.httpServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
