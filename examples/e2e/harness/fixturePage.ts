import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { workspaceAlias } from '../../../vitest.shared';
import type { PageServer } from './pages';

/**
 * A page of `e2e/fixtures/<name>/` built against the workspace's sources and served on
 * loopback: for what the demo pages do not show, e.g. the library's defaults as the docs wire them.
 */
export async function serveFixture(name: string): Promise<PageServer> {
  const root = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), `ks-e2e-${name}-`));
  const config = { configFile: false as const, root, logLevel: 'warn' as const };
  await build({
    ...config,
    resolve: { alias: workspaceAlias },
    define: { 'process.env.NODE_ENV': '"production"' },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  const server = await preview({
    ...config,
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false },
  });
  const { port } = server.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
