/**
 * When a replayed CLI may print its next recorded line. A recording is what the CLI printed;
 * a CLI that talks both ways printed some of it only after the executor had written something,
 * and a replay that ignored that would answer requests not yet asked, or carry on past a
 * question nobody answered. So for an interactive process:
 *
 * - nothing is printed before the executor writes its first line (stream-json and JSON-RPC
 *   agents wait for the client to speak first);
 * - a JSON-RPC response (an `id` with a `result` or `error`, no `method`) is held until the
 *   executor has written the request with that `id`;
 * - after the CLI printed a request of its own (a JSON-RPC request, or Claude's
 *   `control_request`), nothing more is printed until the executor has answered it (the
 *   response with that `id`, or a `control_response` naming that `request_id`);
 * - after the last line the process waits for its stdin to close before it exits, as the real
 *   CLIs do, unless the recording ends in a crash (a non-zero exit or a signal).
 *
 * These functions use nothing outside themselves and take the replay's state as arguments: the
 * kit's real-process replay runs them in a child Node from their source text.
 */

/** An object parsed from a line, or null for anything else. */
export function messageOf(line: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** A key for a request a message makes ("rpc:<id>", "control:<request_id>"), or null. */
export function requestKey(message: Record<string, unknown> | null): string | null {
  if (message === null) return null;
  if (typeof message['method'] === 'string' && 'id' in message) return `rpc:${JSON.stringify(message['id'])}`;
  if (message['type'] === 'control_request' && typeof message['request_id'] === 'string') return `control:${message['request_id']}`;
  return null;
}

/** A key for the request a message answers, or null. */
export function answerKey(message: Record<string, unknown> | null): string | null {
  if (message === null) return null;
  if ('id' in message && !('method' in message) && ('result' in message || 'error' in message)) return `rpc:${JSON.stringify(message['id'])}`;
  const response = message['response'];
  if (message['type'] === 'control_response' && response !== null && typeof response === 'object') {
    const id = (response as Record<string, unknown>)['request_id'];
    if (typeof id === 'string') return `control:${id}`;
  }
  return null;
}

/**
 * The replay's state, kept as it goes (a long recording must not be rescanned for every line):
 * what the executor asked and answered, and the CLI's own requests still unanswered.
 */
export function createRecordingGate(interactive: boolean) {
  let writes = 0;
  const asked = new Set<string>();
  const answered = new Set<string>();
  const unanswered = new Set<string>();
  return {
    /** A line the executor wrote to the CLI. */
    wrote(line: string): void {
      writes += 1;
      const message = messageOf(line);
      const request = requestKey(message);
      if (request !== null) asked.add(request);
      const answer = answerKey(message);
      if (answer === null) return;
      answered.add(answer);
      unanswered.delete(answer);
    },
    /** A line the CLI printed. */
    printed(line: string): void {
      const key = requestKey(messageOf(line));
      if (key !== null && !answered.has(key)) unanswered.add(key);
    },
    /** Whether the next recorded line may be printed now. */
    mayPrint(line: string): boolean {
      if (!interactive) return true;
      if (writes === 0) return false;
      if (unanswered.size > 0) return false;
      const answers = answerKey(messageOf(line));
      return answers === null || asked.has(answers);
    },
  };
}

/** Whether the next recorded line may be printed, given what was written to the CLI and what it printed before. */
export function mayPrint(line: string, interactive: boolean, written: readonly string[], printed: readonly string[]): boolean {
  const gate = createRecordingGate(interactive);
  written.forEach((text) => gate.wrote(text));
  printed.forEach((text) => gate.printed(text));
  return gate.mayPrint(line);
}

/** Whether the process, its recording played, waits for stdin to close before it exits. */
export function waitsForEndOfInput(interactive: boolean, exitCode: number | null, signal: string | null): boolean {
  return interactive && signal === null && exitCode === 0;
}

/** The functions above as source text, for a child Node to run. */
export const RECORDING_GATE_SOURCE = [messageOf, requestKey, answerKey, createRecordingGate, mayPrint, waitsForEndOfInput].map(String).join('\n');
