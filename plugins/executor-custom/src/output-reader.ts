import type { DoneEvent, ExecutorEvent, ProcessExit } from '@forge-core/sdk';

/** How a run's agent ended, as the runner saw it. */
export interface RunEnd {
  /** The command as the profile names it, for messages. */
  command: string;
  exit: ProcessExit;
  /** The user stopped the attempt. */
  aborted: boolean;
  /** The last lines the agent wrote to stderr, oldest first. */
  stderrTail: readonly string[];
}

/**
 * Turns what an agent prints on stdout into events, one way per `output` mode. It does no I/O,
 * so recorded output replays the same as live output.
 */
export interface OutputReader {
  /** The events one stdout line stands for, possibly none. Never throws, whatever the line holds. */
  readLine(text: string): ExecutorEvent[];
  /** What the output still holds once it has ended or timed out: text not yet closed into a message. */
  flush(): ExecutorEvent[];
  /** The run's single done, from what the output reported and how the agent ended. */
  done(end: RunEnd): DoneEvent;
  /** The summary so far, for a run that ends before its agent does (a timeout). */
  summary(): string | undefined;
}
