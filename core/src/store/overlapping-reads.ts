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
 * uses the result of an identical query that began after it arrived, if one did, and otherwise
 * runs the query itself. A shared answer therefore shows the database at a moment between the
 * read's arrival and its answer, as its own query would have: a write that finished before the
 * read arrived is always in it. Ten clients polling the same 1,000-task page cost one query per
 * batch instead of ten. Results are kept only while some read is waiting, never across idle.
 */
export class OverlappingReads<T> {
  private clock = 0;
  private waiting = 0;
  private readonly shared = new Map<string, SharedRead<T>>();

  async read(key: string, query: () => Promise<T>): Promise<T> {
    const arrivedAt = ++this.clock;
    this.waiting++;
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const earlier = this.shared.get(key);
      if (earlier && earlier.startedAt > arrivedAt) return await earlier.result;
      return await this.start(key, query);
    } finally {
      if (--this.waiting === 0) this.shared.clear();
    }
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
}
