import { findUnsafe, LIMITS } from '@kitchen-sync/protocol';
import { KitchenSyncError } from '../errors.js';
import { storedBound } from './promotionWindow.js';
import type { Collection, ItemByCollection, MasterDataItem } from './types.js';

/** One checked page of `GET /api/{collection}/?since_version=N`. */
export interface MasterDataPage<C extends Collection = Collection> {
  items: ItemByCollection[C][];
  /** The version the cache stands at once this page is stored. */
  version: number;
  hasMore: boolean;
  /**
   * `current_version` is below the `since_version` asked for: central's counter went back
   * (restored from a backup, database rebuilt). Its rows are not comparable with the cache's
   * versions any more, so the page carries none and the collection is downloaded again.
   */
  wentBack?: true;
}

/**
 * Checks a page before anything is stored: the whole page is refused, never half applied.
 * Small hand-written guards: valibot is not resolvable from this package, and a page of
 * thousands of rows is checked faster by a plain loop.
 */
export function parsePage<C extends Collection>(
  collection: C,
  body: unknown,
  sinceVersion: number,
): MasterDataPage<C> {
  const fail = (reason: string, details: Record<string, unknown> = {}): never => {
    throw new KitchenSyncError(
      'malformed_response',
      `${collection} page after version ${sinceVersion}: ${reason}`,
      { collection, since_version: sinceVersion, ...details },
    );
  };

  if (!isRecord(body)) return fail('not a JSON object');
  // Rows sit two levels down (`{ items: [row] }`): each may nest as deep as any message.
  const unsafe = findUnsafe(body, LIMITS.MAX_DEPTH + 2);
  if (unsafe) return fail(`refused ${unsafe.kind} at ${unsafe.path}`, { path: unsafe.path });

  const items = body.items ?? body[collection];
  if (!Array.isArray(items)) return fail(`neither "items" nor "${collection}" is an array`);
  const version = body.current_version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return fail('current_version is not a non-negative integer');
  }
  const hasMore = body.has_more ?? false;
  if (typeof hasMore !== 'boolean') return fail('has_more is not a boolean');
  if (version < sinceVersion) return { items: [], version, hasMore, wentBack: true };
  // A further page that does not move the version would be asked for forever.
  if (hasMore && version === sinceVersion) {
    return fail('has_more without a higher current_version', { current_version: version });
  }

  let ordered = true;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (!isRecord(item)) return fail(`item ${i} is not an object`, { index: i });
    if (!isId(item.id)) return fail(`item ${i} has no valid id`, { index: i });
    const itemVersion = item.version;
    if (itemVersion !== undefined) {
      if (typeof itemVersion !== 'number' || !Number.isSafeInteger(itemVersion)) {
        return fail(`item ${i} has a version that is not an integer`, { index: i, id: item.id });
      }
      // The next request starts after current_version: a newer row here would come back
      // again and again, or mean the server cut the page in the wrong place.
      if (itemVersion > version) {
        return fail(`item ${i} is newer than current_version`, { index: i, id: item.id });
      }
      if (itemVersion < previous) ordered = false;
      previous = itemVersion;
    }
    if (collection === 'promotions' && !isTombstone(item)) {
      if (
        Number.isNaN(storedBound(item.start_date, 'start')) ||
        Number.isNaN(storedBound(item.end_date, 'end'))
      ) {
        return fail(`promotion ${i} has an unreadable start_date or end_date`, {
          index: i,
          id: item.id,
        });
      }
    }
  }
  // A row no newer than what the cache stands at (a server that sent it again, or an older
  // copy) would overwrite a newer one: a price must never go back.
  const fresh =
    sinceVersion > 0
      ? items.filter(
          (item: { version?: number }) =>
            !(item.version !== undefined && item.version <= sinceVersion),
        )
      : items;
  // Rows are applied in order, so a row changed twice in one page ends at its newest state.
  const rows = (ordered ? fresh : [...fresh].sort(byVersion)) as ItemByCollection[C][];
  return { items: rows, version, hasMore };
}

export function isTombstone(item: { deleted?: unknown; is_active?: unknown }): boolean {
  return item.deleted === true || item.is_active === false;
}

function byVersion(a: MasterDataItem, b: MasterDataItem): number {
  return (a.version ?? 0) - (b.version ?? 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string | number {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.ID_MAX_LENGTH;
}
