import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig, type Plugin, type UserConfig } from 'vite';
import { workspaceAlias } from '../vitest.shared';

/** `src/sw.ts` as one classic script, `sw.js` at the site root (the scope it controls). */
function workerBuild(root: string, outDir: string, mode: string, write: boolean): InlineConfig {
  return {
    configFile: false,
    root,
    mode,
    logLevel: 'warn',
    resolve: { alias: workspaceAlias },
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
    build: {
      outDir,
      write,
      emptyOutDir: false,
      copyPublicDir: false,
      lib: {
        entry: join(root, 'src/sw.ts'),
        formats: ['iife'],
        name: 'sw',
        fileName: () => 'sw.js',
      },
    },
  };
}

/**
 * The service worker: written next to the page by `vite build`, built from the sources at
 * each request for `/sw.js` under `vite dev`. A worker controls only the scope it is served
 * from, and a single file needs no module-worker support.
 */
function serviceWorker(root: string): Plugin {
  let outDir = '';
  let command = 'serve';
  return {
    name: 'kitchen-sync-example-sw',
    configResolved(config) {
      outDir = config.build.outDir;
      command = config.command;
    },
    configureServer(server) {
      server.middlewares.use('/sw.js', (_req, res, next) => {
        build(workerBuild(root, outDir, 'development', false)).then((result) => {
          const [output] = Array.isArray(result) ? result : [result];
          if (!output || !('output' in output)) throw new Error('no service worker output');
          res.setHeader('content-type', 'text/javascript');
          res.end(output.output[0]?.code);
        }, next);
      });
    },
    async closeBundle() {
      if (command === 'build') await build(workerBuild(root, outDir, 'production', true));
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
