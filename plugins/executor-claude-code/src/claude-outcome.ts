import { truncate, type DoneEvent, type ProcessExit, type RunFailure } from '@forge-core/sdk';

/** What Claude's closing `result` line said about the run. */
export interface ClaudeResult {
  subtype: string;
  isError: boolean;
  /** The final answer on success; on some failures (API errors) the error text. */
  text?: string;
  /** The reasons newer Claude versions list on an error result (Amp gives one, as `error`). */
  errors: string[];
}

/** Everything that decides how a run ended, gathered while the stream was read. */
export interface ClaudeRunOutcome {
  /** The CLI's name in the error: `claude`, or another CLI speaking its stream-json. */
  agent: string;
  result: ClaudeResult | undefined;
  lastAssistantText: string | undefined;
  exit: ProcessExit;
  aborted: boolean;
  /** What kind of failure it was, should the run have failed and waiting or logging in fix it. */
  failure: RunFailure | undefined;
  /** The last lines claude printed on stderr: when it dies before its result, they say why. */
  stderrTail: readonly string[];
}

/** Enough of stderr to name the cause (a usage error, a crash) without quoting a stack trace whole. */
const MAX_STDERR_TAIL_LENGTH = 2000;

const SUBTYPE_MEANINGS: ReadonlyMap<string, string> = new Map([
  ['error_max_turns', 'stopped after reaching its maximum number of turns'],
  ['error_during_execution', 'failed during execution'],
]);

function describeExit(exit: ProcessExit): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'exited';
}

function failureReason({ agent, result, exit, stderrTail }: ClaudeRunOutcome): string {
  if (result === undefined) {
    const tail = stderrTail.length > 0 ? `: ${truncate(stderrTail.join(' / '), MAX_STDERR_TAIL_LENGTH)}` : '';
    return `${exit.code === 0 ? `${agent} exited without reporting a result` : `${agent} ${describeExit(exit)} before reporting a result`}${tail}`;
  }
  const details = result.errors.length > 0 ? result.errors.join('; ') : result.isError ? result.text : undefined;
  const withDetails = (what: string) => (details ? `${what}: ${details}` : what);
  // Claude reports API errors (overload, auth) as subtype success with is_error set.
  if (result.subtype === 'success') return result.isError ? withDetails(`${agent} reported an error`) : `${agent} reported success but ${describeExit(exit)}`;
  return withDetails(`${agent} ${SUBTYPE_MEANINGS.get(result.subtype) ?? 'ended with an error'} (${result.subtype})`);
}

/**
 * A run succeeds only when Claude said so and the process agreed: a success result followed by a
 * non-zero exit still means something broke after the answer was written.
 */
export function doneEvent(outcome: ClaudeRunOutcome): DoneEvent {
  const { result, lastAssistantText, exit, aborted, failure } = outcome;
  const lastText = lastAssistantText === undefined ? {} : { summary: lastAssistantText };
  if (aborted) return { type: 'done', status: 'cancelled', ...lastText, exitCode: exit.code };
  if (result !== undefined && !result.isError && result.subtype === 'success' && exit.code === 0) {
    const summary = result.text || lastAssistantText;
    return { type: 'done', status: 'succeeded', ...(summary === undefined ? {} : { summary }), exitCode: exit.code };
  }
  return { type: 'done', status: 'failed', ...lastText, error: failureReason(outcome), exitCode: exit.code, ...(failure === undefined ? {} : { failure }) };
}
