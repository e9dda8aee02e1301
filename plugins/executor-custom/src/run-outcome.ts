import { truncate, type DoneEvent, type ProcessExit } from '@forge-core/sdk';
import type { RunEnd } from './output-reader.ts';
import { MAX_DONE_TEXT_LENGTH } from './text-limits.ts';

/** How many of the agent's last stderr lines an error quotes, and how much of each. */
export const STDERR_TAIL_LINES = 10;
const STDERR_LINE_LENGTH = 500;

/** What the output itself said about the run. */
export interface Reported {
  summary?: string | undefined;
  /** The agent said it failed, whatever its exit code. */
  error?: string | undefined;
}

function describeExit(exit: ProcessExit): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'ended';
}

/** An error followed by the agent's last stderr lines, which usually say why. */
export function withStderr(error: string, stderrTail: readonly string[]): string {
  const quoted = stderrTail.map((line) => truncate(line, STDERR_LINE_LENGTH));
  return truncate(quoted.length === 0 ? error : `${error}; its last stderr lines:\n${quoted.join('\n')}`, MAX_DONE_TEXT_LENGTH);
}

const summaryOf = (summary: string | undefined) => (summary === undefined ? {} : { summary: truncate(summary, MAX_DONE_TEXT_LENGTH) });

/**
 * The done of a text or JSON-lines run: an agent that exits 0 succeeded unless its output
 * reported an error; any other exit failed, with the agent's last stderr lines in the error.
 */
export function processDone(end: RunEnd, reported: Reported): DoneEvent {
  const { command, exit, aborted, stderrTail } = end;
  const base = { type: 'done', exitCode: exit.code, ...summaryOf(reported.summary) } as const;
  if (aborted) return { ...base, status: 'cancelled' };
  if (reported.error !== undefined) return { ...base, status: 'failed', error: withStderr(`${command} reported an error: ${reported.error}`, stderrTail) };
  if (exit.code === 0 && exit.signal === null) return { ...base, status: 'succeeded' };
  return { ...base, status: 'failed', error: withStderr(`${command} ${describeExit(exit)}`, stderrTail) };
}

/** The done of a run whose agent outlived the profile's timeoutMs; the host stops the agent once the run has ended. */
export function timedOutDone(command: string, timeoutMs: number, summary: string | undefined, stderrTail: readonly string[]): DoneEvent {
  const error = withStderr(`${command} did not finish within timeoutMs (${timeoutMs} ms), so the run was ended and the agent stopped`, stderrTail);
  return { type: 'done', status: 'failed', error, exitCode: null, ...summaryOf(summary) };
}
