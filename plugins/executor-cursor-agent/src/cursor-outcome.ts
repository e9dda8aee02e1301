import { truncate, type DoneEvent, type ProcessExit } from '@forge-core/sdk';
import { runFailure } from './cursor-failure.ts';
import type { CursorStreamReport } from './parse-cursor-stream.ts';

/** Everything that decides how a run ended, gathered while its output was read. */
export interface CursorRunOutcome {
  report: CursorStreamReport;
  exit: ProcessExit;
  aborted: boolean;
  /** The last lines cursor-agent wrote to stderr: on a failure, the only place it says why. */
  stderrTail: readonly string[];
}

/** Enough of stderr to name the cause without quoting a stack trace whole. */
const MAX_STDERR_TAIL_LENGTH = 2_000;

const quoted = (stderrTail: readonly string[]) => (stderrTail.length === 0 ? '' : `: ${truncate(stderrTail.join(' / '), MAX_STDERR_TAIL_LENGTH)}`);

function describeExit(exit: ProcessExit): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  return exit.code === null ? 'exited' : `exited with code ${exit.code}`;
}

function failureReason({ report: { result }, exit, stderrTail }: CursorRunOutcome): string {
  if (result === undefined) {
    // Print mode fails this way: a non-zero exit, the reason on stderr, no JSON. An untrusted folder exits 0 the same way.
    return `${exit.code === 0 ? 'cursor-agent exited without reporting a result' : `cursor-agent ${describeExit(exit)} before reporting a result`}${quoted(stderrTail)}`;
  }
  if (result.isError) return `cursor-agent reported an error${result.text ? `: ${result.text}` : quoted(stderrTail)}`;
  if (result.subtype !== 'success') return `cursor-agent ended with result ${result.subtype}${result.text ? `: ${result.text}` : quoted(stderrTail)}`;
  return `cursor-agent reported success but ${describeExit(exit)}${quoted(stderrTail)}`;
}

/** A run succeeds only when cursor-agent reported success and exited 0: a crash after the answer still broke something. */
export function doneEvent(outcome: CursorRunOutcome): DoneEvent {
  const { report, exit, aborted, stderrTail } = outcome;
  const { result, lastAssistantText } = report;
  const lastText = lastAssistantText === undefined ? {} : { summary: lastAssistantText };
  if (aborted) return { type: 'done', status: 'cancelled', ...lastText, exitCode: exit.code };
  if (result !== undefined && !result.isError && result.subtype === 'success' && exit.code === 0) {
    // The result joins every message of the run; its last message is the summary a commit wants.
    const summary = lastAssistantText || result.text;
    return { type: 'done', status: 'succeeded', ...(summary ? { summary } : {}), exitCode: exit.code };
  }
  // The result's text is the model's answer unless it is an error; only then may it name the failure.
  const failure = runFailure([...stderrTail, ...(result?.isError && result.text ? [result.text] : [])]);
  return { type: 'done', status: 'failed', ...lastText, error: failureReason(outcome), exitCode: exit.code, ...(failure === undefined ? {} : { failure }) };
}

/** A bound in words: `30 min`, `1.5 s`, `250 ms`. */
export function describeDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1_000 ? `${ms / 1_000} s` : `${ms} ms`;
}

/** The run went past its bound: cursor-agent is stopped by the host, and the run fails saying why. */
export function timedOutDone(turnTimeoutMs: number, report: CursorStreamReport, stderrTail: readonly string[]): DoneEvent {
  const last = stderrTail.length === 0 ? '' : `; the last it wrote on stderr${quoted(stderrTail)}`;
  const error = `cursor-agent did not finish within ${describeDuration(turnTimeoutMs)} (the turnTimeoutMs option), so it was stopped. It may be waiting for a model it cannot reach${last}`;
  const failure = runFailure(stderrTail);
  return {
    type: 'done',
    status: 'failed',
    ...(report.lastAssistantText === undefined ? {} : { summary: report.lastAssistantText }),
    error,
    ...(failure === undefined ? {} : { failure }),
  };
}
