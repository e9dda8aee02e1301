import type { LiveLogs } from '../events/live-logs.ts';
import type { LogEntry, LogStore } from '../store/log-store.ts';
import { redactValues } from './redact-credentials.ts';

// Entries are written in small batches: one INSERT per event would cap a chatty agent at the
// database's single-row insert rate, while 50 ms keeps the stored log close behind the live one.
const FLUSH_INTERVAL_MS = 50;
const FLUSH_SIZE = 256;

/**
 * Numbers an attempt's log entries and stores them in batches, then hands each batch to live
 * subscribers. Publishing only what is stored means a client that reads history and then
 * follows the live feed never finds a gap between the two. One writer per attempt, so the
 * sequence needs no coordination.
 */
export class LogPipeline {
  private buffer: LogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private secrets: readonly string[] = [];

  constructor(
    private readonly attemptId: string,
    private seq: number,
    private readonly store: LogStore,
    private readonly live: LiveLogs,
  ) {}

  static async open(attemptId: string, store: LogStore, live: LiveLogs): Promise<LogPipeline> {
    return new LogPipeline(attemptId, await store.lastSeq(attemptId), store, live);
  }

  /**
   * Secret values the run was handed (executor secrets, credentials in the repository's remote
   * URLs): replaced wherever they appear in what is appended next. Each call adds to the set.
   */
  redact(secrets: readonly string[]): void {
    this.secrets = [...this.secrets, ...secrets];
  }

  /** `value` with those secrets masked, for what leaves the run by another way (its outcome, a commit message). */
  mask<T>(value: T): T {
    return redactValues(value, this.secrets);
  }

  append(processId: string, kind: string, payload: Record<string, unknown>): LogEntry {
    const entry: LogEntry = {
      attemptId: this.attemptId,
      processId,
      seq: ++this.seq,
      ts: new Date().toISOString(),
      kind,
      payload: this.mask(payload),
    };
    this.buffer.push(entry);
    if (this.buffer.length >= FLUSH_SIZE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    return entry;
  }

  /** Writes everything appended so far; resolves once it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    const write = this.flushing.then(async () => {
      if (batch.length === 0) return;
      await this.store.append(batch);
      for (const entry of batch) this.live.publish(entry);
    });
    // A failed batch is reported to this caller; the next batch still gets its turn.
    this.flushing = write.catch(() => undefined);
    return write;
  }
}
