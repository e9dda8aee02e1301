import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';

export interface WalCheckpointerOptions {
  /** How often to look for a chance to checkpoint. */
  intervalMs?: number;
  /** The database counts as quiet once no statement has run for this long. */
  quietMs?: number;
  /** Under unbroken load, checkpoint anyway after this many skipped looks, so the WAL stays bounded. */
  maxSkips?: number;
}

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  walFrames: number;
  checkpointedFrames: number;
}

/**
 * Folds the WAL back into the database file when nobody is waiting. SQLite's automatic
 * checkpoint runs inside whichever commit crosses 1,000 pages, fsyncs there, and better-sqlite3
 * runs that commit on the event loop: every request in flight stalls for it (4–7 ms per
 * checkpoint on the bench machine, p99.9 of a commit going from 0.2 ms to 4 ms). Here the
 * automatic one is off and a PASSIVE checkpoint runs between bursts instead
 * (spec/decisions/0009).
 */
export class WalCheckpointer {
  private readonly intervalMs: number;
  private readonly quietMs: number;
  private readonly maxSkips: number;
  private lastStatementAt = 0;
  private lastCheckpointAt = 0;
  private skips = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly onQuery = () => (this.lastStatementAt = performance.now());

  constructor(
    private readonly knex: Knex,
    options: WalCheckpointerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    this.quietMs = options.quietMs ?? 50;
    // Under unbroken load, no look is skipped: a WAL left to grow for 2 s took 50–80 ms to fold in,
    // a stall every request in flight waited for; one folded every 250 ms takes about 10 ms
    // (spec/decisions/0009, revisited).
    this.maxSkips = options.maxSkips ?? 1;
  }

  async start(): Promise<void> {
    // A per-connection setting: should the pool ever replace the connection, the new one
    // checkpoints automatically again, which is slower but still correct.
    await this.knex.raw('PRAGMA wal_autocheckpoint = 0');
    this.knex.on('query', this.onQuery);
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops looking and waits for a checkpoint in progress; SQLite checkpoints on close. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.knex.off('query', this.onQuery);
    await this.running;
  }

  /** One PASSIVE checkpoint: never waits for readers or the writer, copies what it can. */
  async checkpoint(): Promise<CheckpointResult> {
    // Through knex, so it queues behind an open transaction instead of failing inside it.
    const rows = (await this.knex.raw('PRAGMA wal_checkpoint(PASSIVE)')) as { log: number; checkpointed: number }[];
    const row = rows[0]!;
    return { walFrames: row.log, checkpointedFrames: row.checkpointed };
  }

  private tick(): void {
    // Nothing has run since the last checkpoint (its own PRAGMA included): nothing to fold in.
    if (this.running || this.lastStatementAt <= this.lastCheckpointAt) return;
    const quiet = performance.now() - this.lastStatementAt >= this.quietMs;
    if (!quiet && ++this.skips < this.maxSkips) return;
    this.skips = 0;
    // A failed checkpoint loses nothing: the frames stay in the WAL for the next one.
    this.running = this.checkpoint()
      .catch(() => undefined)
      .finally(() => {
        this.lastCheckpointAt = performance.now();
        this.running = null;
      });
  }
}
