/**
 * `amp threads continue <id>` may print the thread's earlier messages again before the new
 * turn: Vibe Kanban's reader of Amp's stream clears everything before the latest user message
 * for that reason (HistoryStrategy::AmpResume). In Forge the attempt's log already holds the
 * earlier turns, so a follow-up holds back what it reads before amp echoes the new prompt as a
 * user message, and drops it when the echo comes. What amp does not replay costs nothing: the
 * echo is then the first message. Were the echo never recognised (amp rewording the prompt),
 * what was held is yielded before the run's `done`, with a warning, rather than lost.
 */
import type { ExecutorEvent, LogEvent } from '@forge-core/sdk';

/** What may be replayed history; the session, logs and the end are never held. */
const HELD_TYPES: ReadonlySet<ExecutorEvent['type']> = new Set(['message', 'thinking', 'tool_call', 'tool_result', 'file_change', 'usage', 'approval_request']);

const sameText = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

const log = (level: LogEvent['level'], text: string): LogEvent => ({ type: 'log', level, text });

/** The events of a resumed run from the new prompt's echo on; `prompt` is the follow-up's. */
export async function* withoutReplayedHistory(events: AsyncIterable<ExecutorEvent>, prompt: string, signal: AbortSignal): AsyncGenerator<ExecutorEvent> {
  let held: ExecutorEvent[] | undefined = [];
  for await (const event of events) {
    if (held === undefined || !HELD_TYPES.has(event.type)) {
      if (event.type === 'done' && held !== undefined && held.length > 0 && !signal.aborted) {
        yield log('warn', `amp never echoed the follow-up prompt, so the ${held.length} events before the end could not be told apart from the thread's earlier turns it may have replayed; all are shown`);
        yield* held;
      }
      yield event;
      continue;
    }
    if (event.type === 'message' && event.role === 'user' && sameText(event.text, prompt)) {
      if (held.length > 0) yield log('debug', `left out ${held.length} events amp replayed from the earlier turns of the thread`);
      held = undefined;
      yield event;
      continue;
    }
    held.push(event);
  }
}
