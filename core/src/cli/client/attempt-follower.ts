import { setTimeout as sleep } from 'node:timers/promises';
import { ATTEMPT_FIELDS, FINISHED_STATES, type AttemptView, type LogEntry } from './api-types.ts';
import type { CommandContext } from './client-command.ts';
import type { CommandOutput } from './command-output.ts';
import { CommandFailure, EXIT } from './exit-codes.ts';
import { NotForgeServer, type ForgeClient } from './http-client.ts';
import { LogEntryText, outcomeText } from './log-entry-text.ts';

export interface FollowOptions {
  /** Show the entries after this seq (0: the whole log). */
  after: number;
  /** Print each entry as the API's JSON, one a line, and no outcome line. */
  json: boolean;
  /** The commands it suggests, for the same server. */
  forgecore: CommandContext['forgecore'];
}

// A dropped stream (a server restart, a proxy's idle cut) is opened again after the last entry
// seen, this many times in a row at most, this far apart.
const RECONNECTS = 5;
const RECONNECT_MS = 1_000;
// How often the attempt is read for the progress line while it waits; only on a terminal.
const PROGRESS_POLL_MS = 1_000;
// Entries the host writes (script output, its own notes, an approval's answer): they come while the attempt prepares too.
const HOST_KINDS = ['log', 'approval_result'];

/**
 * Prints an attempt's log as it is written, from its live stream, until the attempt has ended;
 * returns the attempt as it ended. On a terminal, a progress line says what it waits for before
 * the agent runs. Ctrl-C stops following (exit 130) and leaves the attempt running.
 */
export async function followAttempt(client: ForgeClient, attemptId: string, output: CommandOutput, options: FollowOptions): Promise<AttemptView> {
  const stop = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    stop.abort();
  };
  process.once('SIGINT', onInterrupt);
  const path = `/attempts/${encodeURIComponent(attemptId)}`;
  const progress = output.progress.enabled ? watchProgress(client, path, output, stop.signal) : null;
  try {
    await streamLog(client, attemptId, path, output, options, stop.signal);
    return await client.call<AttemptView>('GET', path, { expect: ATTEMPT_FIELDS });
  } catch (error) {
    if (!interrupted) throw error;
    const { forgecore } = options;
    throw new CommandFailure(`Stopped following; attempt ${attemptId} goes on. Follow it again with \`${forgecore('logs -f', attemptId)}\`, stop it with \`${forgecore('attempt stop', attemptId)}\`.`, EXIT.interrupted);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    stop.abort();
    await progress;
    output.progress.hide();
  }
}

async function streamLog(client: ForgeClient, attemptId: string, path: string, output: CommandOutput, options: FollowOptions, signal: AbortSignal): Promise<void> {
  const text = new LogEntryText(output.style, options.forgecore);
  let after = options.after;
  // Until the first stream opens, a failure is the answer (an unknown id, no server): said at once.
  let opened = false;
  let failures = 0;
  for (;;) {
    let lastError: unknown = null;
    try {
      const events = await client.stream(`${path}/logs/stream`, { query: { after }, signal });
      opened = true;
      for await (const message of events) {
        if (message.event === 'end') return;
        if (message.event !== 'entry') continue;
        failures = 0;
        const entry = logEntryOf(client, message.data);
        after = entry.seq;
        // The agent speaks: whatever the line said it waited for is over (the next poll may be a second away).
        if (!HOST_KINDS.includes(entry.kind)) output.progress.hide();
        if (options.json) output.jsonLine(entry);
        else {
          const shown = text.render(entry);
          if (shown !== null) output.print(shown);
        }
      }
    } catch (error) {
      // A refusal (the attempt deleted meanwhile, the token revoked) or an answer not Forge Core's is final; anything else is a broken connection.
      if (signal.aborted || !opened || error instanceof NotForgeServer || (error instanceof CommandFailure && error.exitCode !== EXIT.unreachable)) throw error;
      lastError = error;
    }
    if (++failures > RECONNECTS) {
      const why = lastError instanceof CommandFailure ? lastError.message : `The stream from ${client.url} broke (${(lastError as Error | null)?.message ?? 'it ended early'}) and did not come back.`;
      throw new CommandFailure(`${why} Attempt ${attemptId} may still run: \`${options.forgecore('logs -f', attemptId)}\` follows it again.`, EXIT.unreachable);
    }
    await sleep(RECONNECT_MS, undefined, { signal });
  }
}

/** An entry of the log stream, or a NotForgeServer failure for data no Forge Core server sends. */
function logEntryOf(client: ForgeClient, data: string): LogEntry {
  let entry: Partial<LogEntry> | null = null;
  try {
    entry = JSON.parse(data) as Partial<LogEntry>;
  } catch {
    // Not JSON: said below.
  }
  if (typeof entry?.seq !== 'number' || typeof entry.kind !== 'string') throw client.notForge('sent a log entry that is not one');
  return entry as LogEntry;
}

/**
 * Keeps the progress line saying what the attempt waits for, while it waits; resolves once
 * `signal` aborts or the attempt has finished. The line changes only when what it would say
 * does, so an agent's first words, which hide it, are not drawn over by a poll a moment old.
 */
async function watchProgress(client: ForgeClient, path: string, output: CommandOutput, signal: AbortSignal): Promise<void> {
  let said: string | null = null;
  while (!signal.aborted) {
    // Unreadable: the log stream reports what went wrong, the line has nothing to say meanwhile.
    const attempt = await client.call<AttemptView>('GET', path, { signal, expect: ATTEMPT_FIELDS }).catch(() => null);
    if (attempt !== null && FINISHED_STATES.includes(attempt.state)) return output.progress.hide();
    const waiting = attempt === null ? null : waitingText(attempt);
    if (waiting !== said) {
      if (waiting === null) output.progress.hide();
      else output.progress.show(waiting);
      said = waiting;
    }
    await sleep(PROGRESS_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

/** What a queued or preparing attempt waits for; null once its agent runs. */
function waitingText(attempt: AttemptView): string | null {
  if (attempt.state === 'preparing') return 'Preparing its worktree (and running the setup script, if any)…';
  if (attempt.state !== 'queued') return null;
  if (attempt.error?.retryAt) return `Queued: the agent was refused (${attempt.error.code}); it runs again at ${new Date(attempt.error.retryAt).toLocaleTimeString()}…`;
  const position = attempt.queuePosition;
  return position === undefined || position === null || position === 1 ? 'Queued: waiting for a free slot…' : `Queued: ${position - 1} ahead of it…`;
}

/** The exit code of a followed attempt: 0 only when it succeeded. After the outcome line, unless the output is JSON. */
export function finishFollowing(attempt: AttemptView, output: CommandOutput, { json, forgecore }: Pick<FollowOptions, 'json' | 'forgecore'>): number {
  if (!json) output.print(outcomeText(attempt, output.style, forgecore));
  return attempt.state === 'succeeded' ? EXIT.ok : EXIT.refused;
}
