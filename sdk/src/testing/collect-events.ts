import type { DoneEvent, ExecutorEvent } from '../events.ts';

/** Drains a run's events, letting the test act on each one as it arrives (stop the run, answer it). */
export async function collectEvents(events: AsyncIterable<ExecutorEvent>, onEvent?: (event: ExecutorEvent) => void): Promise<ExecutorEvent[]> {
  const collected: ExecutorEvent[] = [];
  for await (const event of events) {
    collected.push(event);
    onEvent?.(event);
  }
  return collected;
}

/** The run's `done`, after checking it is the only one and nothing followed it; a throw naming the events otherwise. */
export function finalDone(events: readonly ExecutorEvent[]): DoneEvent {
  const doneEvents = events.filter((event) => event.type === 'done');
  if (doneEvents.length !== 1) throw new Error(`expected exactly one done event, got ${doneEvents.length}: ${JSON.stringify(events)}`);
  const last = events.at(-1);
  if (last?.type !== 'done') throw new Error(`expected done to be the last event, but ${JSON.stringify(last)} came after it`);
  return last;
}

/** The events of one type, in order, typed as that event. */
export function eventsOfType<T extends ExecutorEvent['type']>(events: readonly ExecutorEvent[], type: T): Extract<ExecutorEvent, { type: T }>[] {
  return events.filter((event): event is Extract<ExecutorEvent, { type: T }> => event.type === type);
}
