import { isDeepStrictEqual } from 'node:util';
import type { DoneEvent, ExecutorEvent } from '../events.ts';
import { checkExecutorEvent } from '../index.ts';
import { thrownMessage } from './problems.ts';
import { withinTimeout } from './within-timeout.ts';

/** Everything a run yielded, and what it threw if it threw. */
export interface DrainedRun {
  values: unknown[];
  /** Set when opening or iterating the stream threw; a run must end with `done` instead. */
  thrown: string | undefined;
}

/** Reads a run's stream to its end, letting the caller act on each value as it arrives. */
export function drainRun(open: () => AsyncIterable<unknown>, timeoutMs: number, what: string, onValue?: (value: unknown) => void): Promise<DrainedRun> {
  const drain = async (): Promise<DrainedRun> => {
    const values: unknown[] = [];
    try {
      for await (const value of open()) {
        values.push(value);
        onValue?.(value);
      }
      return { values, thrown: undefined };
    } catch (error) {
      return { values, thrown: thrownMessage(error) };
    }
  };
  return withinTimeout(drain(), timeoutMs, what);
}

export interface StreamCheck {
  problems: string[];
  /** The events that passed validation, in order. */
  events: ExecutorEvent[];
  done: DoneEvent | undefined;
}

/** The `type` of whatever a run yielded, valid event or not. */
export const typeOf = (value: unknown) => (typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined);

/**
 * What every run must satisfy: nothing thrown, every event valid, one `done`, and it last. A run
 * that was stopped may end without a `done` (the host then writes one), so that can be allowed.
 */
export function checkEventStream(run: DrainedRun, { doneRequired = true } = {}): StreamCheck {
  const problems: string[] = [];
  if (run.thrown !== undefined) problems.push(`the run threw (${run.thrown}); a failing run must end with done {status: "failed"} instead`);
  const events: ExecutorEvent[] = [];
  run.values.forEach((value, index) => {
    const check = checkExecutorEvent(value);
    if (check.ok) events.push(check.event);
    else problems.push(`event #${index + 1} is invalid: ${check.message}`);
  });
  const doneCount = run.values.filter((value) => typeOf(value) === 'done').length;
  if (doneCount === 0 && doneRequired) problems.push('the run ended without a done event; every run ends with exactly one');
  if (doneCount > 1) problems.push(`the run yielded ${doneCount} done events; it must yield exactly one`);
  const firstDone = run.values.findIndex((value) => typeOf(value) === 'done');
  const after = firstDone === -1 ? [] : run.values.slice(firstDone + 1).filter((value) => typeOf(value) !== 'done');
  if (after.length > 0) problems.push(`${after.length} event(s) came after done (the first a ${String(typeOf(after[0]))}); done must be last`);
  const done = events.find((event): event is DoneEvent => event.type === 'done');
  return { problems, events, done };
}

/** Whether every field the expectation names has the same value in the event. */
export function matchesFields(event: object, expected: object): boolean {
  return Object.entries(expected).every(([key, value]) => isDeepStrictEqual((event as Record<string, unknown>)[key], value));
}

const SHOWN_CANDIDATES = 5;
const shortJson = (value: unknown) => {
  const json = JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 200)}…` : json;
};

/** The first expected event the run did not yield in order, described for the author, or null. */
export function missingInOrder(events: readonly ExecutorEvent[], expected: readonly object[]): string | null {
  let from = 0;
  for (const [index, want] of expected.entries()) {
    const at = events.findIndex((event, position) => position >= from && matchesFields(event, want));
    if (at === -1) {
      const sameType = events.filter((event) => event.type === (want as { type?: unknown }).type).slice(0, SHOWN_CANDIDATES);
      const seen = sameType.length === 0 ? 'none of that type' : sameType.map(shortJson).join(', ');
      const where = index === 0 ? '' : ' after the previous expected event';
      return `expected event ${index + 1} of ${expected.length}, ${shortJson(want)}, was not yielded${where}; the run yielded ${seen}`;
    }
    from = at + 1;
  }
  return null;
}
