import type { LiveLogs } from '../events/live-logs.ts';
import type { LogStore } from '../store/log-store.ts';
import { LogPipeline } from './log-pipeline.ts';

/** One user's hold on an attempt's pipeline: append through `log`, then `release` once done writing. */
export interface LogLease {
  log: LogPipeline;
  /** Stores what was appended; the pipeline closes once no user holds it. */
  release(): Promise<void>;
}

interface Open {
  pipeline: Promise<LogPipeline>;
  users: number;
}

/**
 * The one pipeline of each attempt that something is writing to. An attempt's run and its dev
 * server write to the same log at the same time, and entries are numbered by the pipeline (the
 * database refuses a seq twice), so both must append through one pipeline, not a pipeline each.
 */
export class LogPipelines {
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly store: LogStore,
    private readonly live: LiveLogs,
  ) {}

  async acquire(attemptId: string): Promise<LogLease> {
    let entry = this.open.get(attemptId);
    if (entry) entry.users++;
    else this.open.set(attemptId, (entry = { pipeline: LogPipeline.open(attemptId, this.store, this.live), users: 1 }));
    const held = entry;
    const log = await held.pipeline.catch((error: unknown) => {
      this.letGo(attemptId, held);
      throw error;
    });
    let released = false;
    return {
      log,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await log.flush();
        } finally {
          this.letGo(attemptId, held);
        }
      },
    };
  }

  /**
   * Forgets the pipeline once its last user has flushed: only then may a new one read the last
   * stored seq, so a writer that comes back meanwhile shares this one instead.
   */
  private letGo(attemptId: string, entry: Open): void {
    entry.users--;
    if (entry.users === 0 && this.open.get(attemptId) === entry) this.open.delete(attemptId);
  }
}
