import type { LogEntry } from '../store/log-store.ts';

type Listener = (entry: LogEntry) => void;

/**
 * The live feed of attempts' log entries, in process: each batch is handed over once stored, so a
 * reader that pages the stored log and then follows this never finds a gap. State changes are not
 * here: they go through the persisted event log (event-log.ts).
 */
export class LiveLogs {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly everyAttempt = new Set<Listener>();

  publish(entry: LogEntry): void {
    const listeners = this.listeners.get(entry.attemptId);
    if (listeners) for (const listener of listeners) listener(entry);
    for (const listener of this.everyAttempt) listener(entry);
  }

  /** Every attempt's entries (the MCP resource updates); returns the unsubscribe. */
  subscribeAll(listener: Listener): () => void {
    this.everyAttempt.add(listener);
    return () => this.everyAttempt.delete(listener);
  }

  subscribe(attemptId: string, listener: Listener): () => void {
    let listeners = this.listeners.get(attemptId);
    if (!listeners) this.listeners.set(attemptId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.listeners.delete(attemptId);
    };
  }
}
