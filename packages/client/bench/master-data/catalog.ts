/**
 * A reference implementation of the server side of the sync contract (docs/master-data.md),
 * used by the tests and the benchmark as the central API. Every change gets the next value
 * of the collection's counter; deletes leave a tombstone at their version.
 */
export interface CatalogRow {
  id: string | number;
  version: number;
  deleted?: boolean;
  [field: string]: unknown;
}

export interface CatalogPage {
  items: CatalogRow[];
  current_version: number;
  has_more: boolean;
}

export class VersionedCatalog {
  #head = 0;
  // Re-inserting on every change keeps the Map in version order, so a page is a scan.
  readonly #rows = new Map<string, CatalogRow>();

  get head(): number {
    return this.#head;
  }

  upsert(item: Record<string, unknown> & { id: string | number }): CatalogRow {
    const row: CatalogRow = { ...item, version: ++this.#head };
    this.#rows.delete(String(item.id));
    this.#rows.set(String(item.id), row);
    return row;
  }

  remove(id: string | number): void {
    this.#rows.delete(String(id));
    this.#rows.set(String(id), { id, deleted: true, version: ++this.#head });
  }

  /** Rows with `version > since`, oldest first; `current_version` is where the next page starts. */
  page(since: number, limit: number): CatalogPage {
    const items: CatalogRow[] = [];
    let hasMore = false;
    for (const row of this.#rows.values()) {
      if (row.version <= since) continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push(row);
    }
    const last = items.at(-1);
    return {
      items,
      // The real head, also below `since` after a restore: the client then downloads again.
      current_version: hasMore && last ? last.version : this.#head,
      has_more: hasMore,
    };
  }

  /** What a client should hold once caught up: every row that is not a tombstone. */
  live(): CatalogRow[] {
    return [...this.#rows.values()].filter(
      (row) => row.deleted !== true && row.is_active !== false,
    );
  }
}
