import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

/** The worker as one classic script at the site root, the scope it controls. */
function workerBuild(mode: string, outDir: string, write: boolean): InlineConfig {
  return {
    configFile: false,
    mode,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
    build: {
      outDir,
      write,
      emptyOutDir: false,
      copyPublicDir: false,
      lib: { entry: 'src/sw.ts', formats: ['iife'], name: 'sw', fileName: () => 'sw.js' },
    },
  };
}

/** `vite build` writes dist/sw.js; `vite dev` builds /sw.js on request, from the sources. */
function serviceWorker(): Plugin {
  let outDir = 'dist';
  let command = 'serve';
  return {
    name: 'service-worker',
    configResolved(config) {
      outDir = config.build.outDir;
      command = config.command;
    },
    configureServer(server) {
      server.middlewares.use('/sw.js', (_req, res, next) => {
        build(workerBuild('development', outDir, false)).then((result) => {
          const [output] = Array.isArray(result) ? result : [result];
          if (!output || !('output' in output)) throw new Error('no service worker output');
          res.setHeader('content-type', 'text/javascript');
          res.end(output.output[0].code);
        }, next);
      });
    },
    async closeBundle() {
      if (command === 'build') await build(workerBuild('production', outDir, true));
    },
  };
}

export default defineConfig({
  plugins: [svelte(), serviceWorker()],
  build: {
    target: 'es2022',
    rollupOptions: { input: { pos: 'pos.html', kitchen: 'kitchen.html' } },
  },
});
