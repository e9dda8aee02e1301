import type { EventLog, ForgeEvent } from '../events/event-log.ts';
import type { LiveLogs } from '../events/live-logs.ts';
import { resourceUri, type ResourceRef } from './resource-uris.ts';

type Listener = (uri: string) => void;

// An agent writes many log entries a second; a subscriber re-reads the log resource at most this often.
const LOG_UPDATE_EVERY_MS = 250;

/**
 * Which MCP resources changed, from the persisted event log (projects, tasks, attempts) and the
 * live log (an attempt's log, coalesced): the one source of `notifications/resources/updated`
 * for every MCP connection, whatever its transport and protocol era.
 */
export class ResourceChanges {
  private readonly listeners = new Set<Listener>();
  private readonly logTimers = new Map<string, NodeJS.Timeout>();
  private stops: (() => void)[] = [];

  constructor(
    private readonly events: EventLog,
    private readonly liveLogs: LiveLogs,
  ) {}

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
      this.events.subscribe((event) => {
        for (const ref of changedBy(event)) this.publish(resourceUri(ref));
      }),
      this.liveLogs.subscribeAll((entry) => this.logChanged(entry.attemptId)),
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
function changedBy(event: ForgeEvent): ResourceRef[] {
  const [entity] = event.type.split('.');
  switch (entity) {
    case 'project':
      return [{ kind: 'project', id: event.subject }];
    case 'task':
      return [{ kind: 'task', id: event.subject }];
    case 'attempt':
      return [
        { kind: 'attempt', id: event.subject },
        { kind: 'attemptLog', id: event.subject },
      ];
    default:
      return [];
  }
}
