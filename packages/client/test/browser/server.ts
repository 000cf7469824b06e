import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { json, TestBackend } from './backend.js';

export interface TestServerOptions {
  /** HTML by path, e.g. `{ '/': '<script type="module" src="/app.js"></script>' }`. */
  pages?: Record<string, string>;
  /** TypeScript entries bundled on request as ES modules, by served path (e.g. `/app.js`). */
  scripts?: Record<string, string>;
  /** TypeScript entry of the service worker, served (classic script) at `/sw.js` so its scope is the origin. */
  serviceWorker?: string;
  /** Compile-time constants for every bundle (esbuild `define`), JSON-encoded here. */
  define?: Record<string, unknown>;
}

/**
 * A tiny HTTP server on 127.0.0.1 (a secure context, so service workers work): test pages,
 * bundles built from source with esbuild on each request, `/sw.js`, and the test backend
 * under `/api/`. `swVersion` is compiled into the worker as `__SW_VERSION__`; changing it
 * makes `/sw.js` a new version for the browser's update check.
 */
export class TestServer {
  readonly backend = new TestBackend();
  swVersion = 'v1';
  /** Paths of every request the server answered (pages, bundles, /api), in order. */
  readonly requests: string[] = [];
  readonly #server: Server;
  readonly #options: TestServerOptions;
  #origin = '';

  private constructor(options: TestServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      this.requests.push(path);
      this.#route(path, req, res).catch((error: unknown) => {
        if (!res.headersSent)
          json(res, 500, { error: { code: 'internal', message: String(error) } });
        else res.destroy();
      });
    });
  }

  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const server = new TestServer(options);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    const { port } = server.#server.address() as AddressInfo;
    server.#origin = `http://127.0.0.1:${port}`;
    return server;
  }

  get origin(): string {
    return this.#origin;
  }

  url(path = '/'): string {
    return `${this.#origin}${path}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #route(
    path: string,
    req: Parameters<TestBackend['handle']>[0],
    res: Parameters<TestBackend['handle']>[1],
  ): Promise<void> {
    if (path.startsWith('/api/')) return this.backend.handle(req, res, path);
    const { pages = {}, scripts = {}, serviceWorker } = this.#options;
    if (path === '/sw.js' && serviceWorker) return this.#script(res, serviceWorker, 'iife');
    const script = scripts[path];
    if (script) return this.#script(res, script, 'esm');
    const page = pages[path];
    if (page !== undefined) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(page);
      return;
    }
    json(res, 404, { error: { code: 'not_found' } });
  }

  async #script(
    res: Parameters<TestBackend['handle']>[1],
    entry: string,
    format: 'esm' | 'iife',
  ): Promise<void> {
    const define: Record<string, string> = {
      'process.env.NODE_ENV': '"production"',
      __SW_VERSION__: JSON.stringify(this.swVersion),
    };
    for (const [key, value] of Object.entries(this.#options.define ?? {}))
      define[key] = JSON.stringify(value);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format,
      platform: 'browser',
      target: 'es2022',
      define,
      logLevel: 'silent',
    });
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(result.outputFiles[0]?.text ?? '');
  }
}
