/**
 * ResponseCache keeps the serialized answers of read calls whose answer depends on the stored state and the query
 * alone (see `Endpoint.cacheKey`), for as long as the store's version (`Store.version`) is the one they were read
 * at: a billing system that polls the listing while nothing changes is answered from memory, and the first call
 * after any write, from this process or another, reads the store again. It holds at most `maxBytes` of answers.
 */
export class ResponseCache {
  private version: string | null = null;
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  /** get answers the bytes kept under `key` at `version`; a new version forgets every answer. */
  get(key: string, version: string): Buffer | undefined {
    if (version !== this.version) {
      this.reset(version);
      return undefined;
    }
    return this.entries.get(key);
  }

  /**
   * set keeps `text` as the answer under `key` at `version`, dropping the oldest answers to stay within bounds, and
   * returns its bytes: kept as bytes, an answer is not encoded again on each request.
   */
  set(key: string, version: string, text: string): Buffer {
    const bytes = Buffer.from(text, 'utf8');
    if (version !== this.version) this.reset(version);
    if (bytes.length > this.maxBytes / 4) return bytes;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.length;
    }
    while (this.bytes + bytes.length > this.maxBytes) {
      const oldest = this.entries.entries().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest[0]);
      this.bytes -= oldest[1].length;
    }
    this.entries.set(key, bytes);
    this.bytes += bytes.length;
    return bytes;
  }

  /** size is how many answers are kept. */
  get size(): number {
    return this.entries.size;
  }

  private reset(version: string): void {
    this.version = version;
    this.entries.clear();
    this.bytes = 0;
  }
}
