/** How many different reads keep a shared result at once; more evicts the oldest. */
const MAX_SHARED_READS = 8;

interface SharedRead<T> {
  /** The clock when its query began: it answers any identical read that arrived before. */
  startedAt: number;
  result: Promise<T>;
}

/**
 * Identical reads that overlap in time share one query (decision 0045). A read first lets the
 * event loop take one turn, so that requests that arrived together all count as arrived; it then
 * looks for the result of an identical query that began after it arrived, if one did, and
 * otherwise runs the query itself. A shared answer therefore shows the database at a moment
 * between the read's arrival and its answer, as its own query would have: a write that finished
 * before the read arrived is always in it. Ten clients polling the same 1,000-task page cost one
 * query per batch instead of ten. A result is kept only while a read that could use it has yet
 * to look: in practice for one turn of the event loop.
 */
export class OverlappingReads<T> {
  private clock = 0;
  /** The arrival of each read that has not looked yet, oldest first (a Set keeps insertion order). */
  private readonly yetToLook = new Set<number>();
  private readonly shared = new Map<string, SharedRead<T>>();

  async read(key: string, query: () => Promise<T>): Promise<T> {
    const arrivedAt = ++this.clock;
    this.yetToLook.add(arrivedAt);
    await new Promise<void>((resolve) => setImmediate(resolve));
    let result: Promise<T>;
    try {
      const earlier = this.shared.get(key);
      result = earlier && earlier.startedAt > arrivedAt ? earlier.result : this.start(key, query);
    } finally {
      this.yetToLook.delete(arrivedAt);
      this.forgetUnusable();
    }
    return result;
  }

  /** How many results are kept for reads yet to look (for tests). */
  get kept(): number {
    return this.shared.size;
  }

  private start(key: string, query: () => Promise<T>): Promise<T> {
    const read: SharedRead<T> = { startedAt: ++this.clock, result: query() };
    // Re-inserted, so the Map's order is the order queries began and the first key is the oldest.
    this.shared.delete(key);
    this.shared.set(key, read);
    if (this.shared.size > MAX_SHARED_READS) this.shared.delete(this.shared.keys().next().value!);
    // A failed query fails the reads that joined it while it ran, and no later one.
    read.result.catch(() => {
      if (this.shared.get(key) === read) this.shared.delete(key);
    });
    return read.result;
  }

  /**
   * Drops the results no read can use: one answers only reads that arrived before its query
   * began, so once every such read has looked, it is garbage, however long its query runs.
   */
  private forgetUnusable(): void {
    const oldest = this.yetToLook.values().next();
    for (const [key, read] of this.shared) {
      if (oldest.done || read.startedAt < oldest.value) this.shared.delete(key);
    }
  }
}
