import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, type UserConfig } from 'vite';
import { workspaceAlias } from '../vitest.shared';

/**
 * Builds `src/sw.ts` into `sw.js` at the site root, as one classic script: a service worker
 * controls only the scope it is served from, and a single file needs no module-worker support.
 */
function serviceWorker(root: string): Plugin {
  let outDir = '';
  return {
    name: 'kitchen-sync-example-sw',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      await build({
        configFile: false,
        root,
        logLevel: 'warn',
        resolve: { alias: workspaceAlias },
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          lib: {
            entry: join(root, 'src/sw.ts'),
            formats: ['iife'],
            name: 'sw',
            fileName: () => 'sw.js',
          },
        },
      });
    },
  };
}

/** The shared Vite config of the demo pages: workspace packages from source, plus the SW. */
export function pageConfig(configUrl: string, options: { port: number }): UserConfig {
  const root = dirname(fileURLToPath(configUrl));
  return {
    root,
    resolve: { alias: workspaceAlias },
    plugins: [serviceWorker(root)],
    // Relative asset URLs: the same build works at / and under a prefix such as the relay's
    // `--app /kiosk/=dist/kiosk`.
    base: './',
    build: { outDir: join(root, 'dist'), emptyOutDir: true, target: 'es2022' },
    server: { port: options.port, strictPort: true },
    preview: { port: options.port, strictPort: true },
  };
}
