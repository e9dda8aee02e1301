import type { EventLog } from '../events/event-log.ts';
import type { LiveLogs } from '../events/live-logs.ts';
import { resourceUri, type ResourceRef } from './resource-uris.ts';

type Listener = (uri: string) => void;

/** A state change as the event log records it: its type (task.updated, …) and the id of what changed. */
export interface StateChange {
  type: string;
  subject: string;
}

/** Where changes come from: this process's event log and live log, or a running server's event stream. */
export interface ChangeSource {
  onStateChange(listener: (change: StateChange) => void): () => void;
  /** An attempt's log grew; a source that cannot tell never calls it (its log resource then moves with the attempt's state). */
  onLogEntry(listener: (attemptId: string) => void): () => void;
}

/** The changes of the server in this process. */
export function localChanges(events: EventLog, liveLogs: LiveLogs): ChangeSource {
  return {
    onStateChange: (listener) => events.subscribe(listener),
    onLogEntry: (listener) => liveLogs.subscribeAll((entry) => listener(entry.attemptId)),
  };
}

// An agent writes many log entries a second; a subscriber re-reads the log resource at most this often.
const LOG_UPDATE_EVERY_MS = 250;

/**
 * Which MCP resources changed, from the persisted event log (projects, tasks, attempts) and the
 * live log (an attempt's log, coalesced): the one source of `notifications/resources/updated`
 * for every MCP connection, whatever its transport and protocol era. It watches its source only
 * while someone listens.
 */
export class ResourceChanges {
  private readonly listeners = new Set<Listener>();
  private readonly logTimers = new Map<string, NodeJS.Timeout>();
  private stops: (() => void)[] = [];

  constructor(private readonly source: ChangeSource) {}

  /** Calls `listener` with the URI of each resource that changed; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    if (this.listeners.size === 0) this.watch();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unwatch();
    };
  }

  private watch(): void {
    this.stops = [
      this.source.onStateChange((change) => {
        for (const ref of changedBy(change)) this.publish(resourceUri(ref));
      }),
      this.source.onLogEntry((attemptId) => this.logChanged(attemptId)),
    ];
  }

  private unwatch(): void {
    for (const stop of this.stops.splice(0)) stop();
    for (const timer of this.logTimers.values()) clearTimeout(timer);
    this.logTimers.clear();
  }

  private logChanged(attemptId: string): void {
    if (this.logTimers.has(attemptId)) return;
    const timer = setTimeout(() => {
      this.logTimers.delete(attemptId);
      this.publish(resourceUri({ kind: 'attemptLog', id: attemptId }));
    }, LOG_UPDATE_EVERY_MS);
    timer.unref();
    this.logTimers.set(attemptId, timer);
  }

  private publish(uri: string): void {
    for (const listener of this.listeners) listener(uri);
  }
}

/** The resources an event changes: its subject, and an attempt's log too when the attempt's state moves. */
function changedBy({ type, subject }: StateChange): ResourceRef[] {
  switch (type.split('.')[0]) {
    case 'project':
      return [{ kind: 'project', id: subject }];
    case 'task':
      return [{ kind: 'task', id: subject }];
    case 'attempt':
      return [
        { kind: 'attempt', id: subject },
        { kind: 'attemptLog', id: subject },
      ];
    default:
      return [];
  }
}
