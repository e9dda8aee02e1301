import type { LogEntry } from '../store/log-store.ts';

export const FORGE_EVENT_TYPES = [
  'project.created',
  'project.updated',
  'project.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'attempt.created',
  'attempt.updated',
  'process.started',
  'process.finished',
] as const;
export type ForgeEventType = (typeof FORGE_EVENT_TYPES)[number];

export interface ForgeEvent {
  /** `<boot epoch>-<sequence>`: a client sends it back as Last-Event-ID to resume. */
  id: string;
  type: ForgeEventType;
  ts: string;
  data: unknown;
}

type Listener<T> = (value: T) => void;

const HISTORY_SIZE = 10_000;

const sequenceOf = (id: string) => Number(id.split('-')[1]);

/**
 * The one in-process event bus: state changes for the global stream, and log entries per
 * attempt for the live log streams. The last events are kept so a reconnecting client resumes
 * where it left off; one that fell further behind (or across a restart) is told to resync.
 */
export class EventBus {
  private readonly epoch = Date.now().toString(36);
  private sequence = 0;
  private readonly history: ForgeEvent[] = [];
  private readonly listeners = new Set<Listener<ForgeEvent>>();
  private readonly logListeners = new Map<string, Set<Listener<LogEntry>>>();

  publish(type: ForgeEventType, data: unknown): ForgeEvent {
    const event: ForgeEvent = { id: `${this.epoch}-${++this.sequence}`, type, ts: new Date().toISOString(), data };
    // A ring: event n lives at n % HISTORY_SIZE, so publishing never shifts the array.
    this.history[this.sequence % HISTORY_SIZE] = event;
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: Listener<ForgeEvent>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The id of the newest event: a client that starts here gets everything published later. */
  get latestId(): string {
    return `${this.epoch}-${this.sequence}`;
  }

  /** Up to `limit` events after `lastEventId`, oldest first, or null when they are no longer all known. */
  since(lastEventId: string, limit = Infinity): ForgeEvent[] | null {
    const [epoch, seqText] = lastEventId.split('-');
    const seq = Number(seqText);
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq > this.sequence) return null;
    const firstKept = Math.max(1, this.sequence - HISTORY_SIZE + 1);
    if (seq < firstKept - 1) return null;
    const missed: ForgeEvent[] = [];
    const last = Math.min(this.sequence, seq + limit);
    for (let n = seq + 1; n <= last; n++) missed.push(this.history[n % HISTORY_SIZE]!);
    return missed;
  }

  /** Whether event id `a` was published after event id `b`, both of this boot. */
  static isAfter(a: string, b: string): boolean {
    return sequenceOf(a) > sequenceOf(b);
  }

  publishLog(entry: LogEntry): void {
    const listeners = this.logListeners.get(entry.attemptId);
    if (listeners) for (const listener of listeners) listener(entry);
  }

  subscribeLogs(attemptId: string, listener: Listener<LogEntry>): () => void {
    let listeners = this.logListeners.get(attemptId);
    if (!listeners) this.logListeners.set(attemptId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.logListeners.delete(attemptId);
    };
  }
}
