export type Versioned<T> = T & { version: number; deleted?: true };

export interface VersionPage<T> {
  items: Versioned<T>[];
  current_version: number;
  has_more: boolean;
}

/**
 * Master data as the central backend serves it: every change gets the next version, a
 * deletion stays as a tombstone so a cache at an older version learns to drop the row.
 */
export class VersionedCollection<T extends { id: number }> {
  #rows = new Map<number, Versioned<T>>();
  #version = 0;

  get currentVersion(): number {
    return this.#version;
  }

  /** The row as it stands, tombstones included. */
  get(id: number): Versioned<T> | undefined {
    return this.#rows.get(id);
  }

  upsert(item: T): Versioned<T> {
    const row = { ...item, version: ++this.#version } as Versioned<T>;
    this.#rows.set(item.id, row);
    return row;
  }

  remove(id: number): Versioned<T> | undefined {
    const existing = this.#rows.get(id);
    if (!existing) return undefined;
    const { version: _old, ...rest } = existing;
    const tombstone = { ...rest, version: ++this.#version, deleted: true } as Versioned<T>;
    this.#rows.set(id, tombstone);
    return tombstone;
  }

  /**
   * Rows changed after `sinceVersion`, oldest change first. When the page is cut short,
   * `current_version` is the last row's version so the next request resumes right after it.
   */
  page(sinceVersion: number, limit: number): VersionPage<T> {
    const changed = [...this.#rows.values()]
      .filter((row) => row.version > sinceVersion)
      .sort((a, b) => a.version - b.version);
    const items = changed.slice(0, limit);
    const has_more = changed.length > limit;
    const last = items[items.length - 1];
    return {
      items,
      current_version: has_more && last ? last.version : this.#version,
      has_more,
    };
  }
}
