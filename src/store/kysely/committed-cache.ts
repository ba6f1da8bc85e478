/**
 * CommittedCache keeps answers read from the store in memory for as long as nothing they were read from can have
 * changed: it empties itself when SQLite's `pragma data_version` shows that another connection committed, and the
 * table's own writers call `clear` for this connection's writes. Without a data version it keeps nothing.
 */
export class CommittedCache<K, V> {
  private readonly entries = new Map<K, V>();
  private seen: number;

  constructor(
    private readonly dataVersion: (() => number) | undefined,
    private readonly max = 10_000,
  ) {
    this.seen = dataVersion?.() ?? 0;
  }

  /** get answers a kept value, after forgetting everything if another connection committed since. */
  get(key: K): V | undefined {
    if (!this.current()) return undefined;
    return this.entries.get(key);
  }

  /**
   * read answers from memory or runs `load` and keeps what it returns, unless a commit from elsewhere landed while
   * it ran (then the answer is returned but not kept). `undefined` answers are never kept.
   */
  async read(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const caching = this.dataVersion !== undefined;
    const before = this.seen;
    const value = await load();
    if (value !== undefined && caching && this.current() && this.seen === before) {
      if (this.entries.size >= this.max) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }

  /** clear forgets everything; writers on this connection call it after each write. */
  clear(): void {
    this.entries.clear();
  }

  private current(): boolean {
    if (this.dataVersion === undefined) return false;
    const now = this.dataVersion();
    if (now !== this.seen) {
      this.seen = now;
      this.entries.clear();
    }
    return true;
  }
}
