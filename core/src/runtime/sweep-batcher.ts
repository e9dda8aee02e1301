/** Kills what holds any of `entries`; returns how many processes it killed for each entry. */
export type Sweep = (entries: ReadonlySet<string>) => Promise<Map<string, number>>;

interface Batch {
  entries: Set<string>;
  killed: Promise<Map<string, number>>;
}

/**
 * Runs one sweep at a time. Entries asked for while one runs wait for the next, which takes them
 * all: attempts that end together (the end of a 50-attempt burst) cost one scan of /proc each
 * time the previous scan ends, not one scan each.
 */
export class SweepBatcher {
  private previous: Promise<unknown> = Promise.resolve();
  private gathering: Batch | null = null;

  constructor(private readonly sweep: Sweep) {}

  /** How many processes holding one of `entries` the sweep that took them killed. */
  async request(entries: readonly string[]): Promise<number> {
    if (!this.gathering) {
      const batch: Batch = { entries: new Set(), killed: Promise.resolve(new Map()) };
      batch.killed = this.previous.then(() => {
        if (this.gathering === batch) this.gathering = null; // later entries wait for the next sweep
        return this.sweep(batch.entries);
      });
      this.previous = batch.killed.catch(() => undefined);
      this.gathering = batch;
    }
    for (const entry of entries) this.gathering.entries.add(entry);
    const killed = await this.gathering.killed;
    return entries.reduce((sum, entry) => sum + (killed.get(entry) ?? 0), 0);
  }
}
