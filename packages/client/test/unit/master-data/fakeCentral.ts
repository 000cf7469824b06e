import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { VersionedCatalog } from '../../../bench/master-data/catalog.js';
import type { Collection } from '../../../src/master-data/types.js';

export const CENTRAL_URL = 'http://central.test';

export interface SeenRequest {
  collection: Collection;
  since: number;
  authorization: string | null;
}

/** Answers a request instead of the catalog; return undefined to let the catalog answer. */
export type Override = (request: SeenRequest) => Response | undefined;

/**
 * The central API of docs/master-data.md, served through msw from three versioned catalogs.
 * Tests change the catalogs, cut the network and swap answers; `seen` records every request.
 */
export class FakeCentral {
  readonly products = new VersionedCatalog();
  readonly categories = new VersionedCatalog();
  readonly promotions = new VersionedCatalog();
  readonly seen: SeenRequest[] = [];
  pageSize = 10;
  /** Answer with the collection-named key (`products`) instead of `items`. */
  namedKey = false;
  readonly #overrides: Override[] = [];

  /** The next `count` matching requests get `answer`. */
  failNext(count: number, answer: () => Response, match?: Partial<SeenRequest>): void {
    let left = count;
    this.#overrides.push((request) => {
      if (left === 0 || !matches(request, match)) return undefined;
      left--;
      return answer();
    });
  }

  override(fn: Override): void {
    this.#overrides.push(fn);
  }

  handle(request: Request, collection: Collection): Response {
    const url = new URL(request.url);
    const seen: SeenRequest = {
      collection,
      since: Number(url.searchParams.get('since_version') ?? 0),
      authorization: request.headers.get('authorization'),
    };
    this.seen.push(seen);
    for (const override of this.#overrides) {
      const answer = override(seen);
      if (answer) return answer;
    }
    const { items, ...page } = this[collection].page(seen.since, this.pageSize);
    return HttpResponse.json(this.namedKey ? { [collection]: items, ...page } : { items, ...page });
  }

  sinceOf(collection: Collection): number[] {
    return this.seen.filter((r) => r.collection === collection).map((r) => r.since);
  }
}

export const networkError = (): Response => HttpResponse.error();
export const status = (code: number) => (): Response => new HttpResponse(null, { status: code });
export const json = (body: unknown) => (): Response => HttpResponse.json(body as never);

function matches(request: SeenRequest, match: Partial<SeenRequest> | undefined): boolean {
  if (!match) return true;
  return Object.entries(match).every(([key, value]) => request[key as keyof SeenRequest] === value);
}

let current: FakeCentral | null = null;

/** One msw server per test file; each test installs a fresh FakeCentral behind it. */
export function centralServer() {
  const server = setupServer(
    http.get(`${CENTRAL_URL}/api/:collection/`, ({ request, params }) => {
      const collection = params.collection as Collection;
      if (!current || !['products', 'categories', 'promotions'].includes(collection)) {
        return new HttpResponse(null, { status: 404 });
      }
      return current.handle(request, collection);
    }),
  );
  return {
    server,
    use(central: FakeCentral): FakeCentral {
      current = central;
      return central;
    },
  };
}
