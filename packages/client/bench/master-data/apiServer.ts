import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Collection } from '../../src/master-data/types.js';
import { Menu, type MenuSize } from './menu.js';

export interface ApiServerOptions extends MenuSize {
  /** Rows per page when the client asks for none; `limit` is capped at 5,000. */
  pageSize: number;
  /** TypeScript entry served as `/app.js` (bundled with esbuild once, at start). */
  script?: string;
}

export interface ApiRequest {
  collection: Collection;
  since: number;
}

const COLLECTIONS = new Set(['products', 'categories', 'promotions']);

/**
 * The central API of docs/master-data.md on 127.0.0.1, port 0, plus a page and its bundle,
 * so a real browser on the same origin can sync from it. `POST /control/change?count=N`
 * edits N products, `POST /control/reset` starts from a fresh menu.
 */
export class MasterDataApiServer {
  menu: Menu;
  readonly requests: ApiRequest[] = [];
  readonly #server: Server;
  readonly #options: ApiServerOptions;
  #bundle = '';
  #origin = '';

  private constructor(options: ApiServerOptions) {
    this.#options = options;
    this.menu = new Menu(options);
    this.#server = createServer((req, res) => this.#route(req, res));
  }

  static async start(options: ApiServerOptions): Promise<MasterDataApiServer> {
    const server = new MasterDataApiServer(options);
    if (options.script) {
      const result = await build({
        entryPoints: [options.script],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'silent',
      });
      server.#bundle = result.outputFiles[0]?.text ?? '';
    }
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#origin = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  get origin(): string {
    return this.#origin;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/api\/([a-z]+)\/$/.exec(url.pathname);
    if (req.method === 'GET' && api && COLLECTIONS.has(api[1]!)) {
      const collection = api[1] as Collection;
      const since = Number(url.searchParams.get('since_version') ?? 0);
      const limit = Math.min(
        Number(url.searchParams.get('limit') ?? this.#options.pageSize),
        5_000,
      );
      this.requests.push({ collection, since });
      send(
        res,
        200,
        'application/json',
        JSON.stringify(this.menu.catalogs[collection].page(since, limit)),
      );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/control/change') {
      this.menu.changeProducts(Number(url.searchParams.get('count') ?? 100));
      send(res, 204, 'text/plain', '');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/control/reset') {
      this.menu = new Menu(this.#options);
      this.requests.length = 0;
      send(res, 204, 'text/plain', '');
      return;
    }
    if (url.pathname === '/app.js') {
      send(res, 200, 'text/javascript', this.#bundle);
      return;
    }
    if (url.pathname === '/') {
      send(
        res,
        200,
        'text/html',
        '<!doctype html><title>master-data</title><script type="module" src="/app.js"></script>',
      );
      return;
    }
    send(res, 404, 'application/json', '{"error":{"code":"not_found"}}');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}
