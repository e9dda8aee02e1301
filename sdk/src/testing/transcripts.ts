/**
 * Recorded transcripts: what a real agent CLI printed in one run, and what the executor must make
 * of it. A folder holds pairs of files named after the scenario:
 *
 *   <name>.jsonl          every line the CLI wrote to stdout, as recorded (JSON lines for most
 *                         agent CLIs, but any text is replayed as is)
 *   <name>.expected.json  {
 *     "done":      { "status": "succeeded", "summary": "…" }   required; the fields given must match
 *     "events":    [ { "type": "session" }, { "type": "file_change", "path": "a.txt" } ]
 *                  optional; events the run must yield in this order (others may come between),
 *                  each matched on the fields given
 *     "sessionId": "…"      the session the recording reports: the run must yield a `session`
 *                           event with it, and the resume suite continues it
 *     "usage":     true     the recording reports token usage, so an executor declaring
 *                           `usageReporting` must yield a `usage` event
 *     "exitCode":  0        how the CLI exited (default 0); or "signal": "SIGKILL"
 *     "stderr":    ["…"]    lines the CLI wrote to stderr, replayed after stdout
 *     "input":     { "prompt": "…", "options": { … }, "config": { … } }   what the run is given;
 *                           option and setting defaults are filled in as the host does
 *     "approvals": [ { "tool": "Bash", "outcome": "denied", "scope": "once", "reason": "…" } ]
 *                           the approvals the run must ask for, in order, each answered as given
 *                           (outcome defaults to "approved", scope to "once")
 *     "executor":  "id"     which executor replays it, when the pack has several
 *     "source":    { "cli": "gemini", "version": "0.61.0", "document": "…" }
 *                           what the recording follows: the CLI, its version, and the document it
 *                           was written from (a vendor's format reference, a protocol schema, an
 *                           offline probe); shown nowhere, kept with the fixture for its readers
 *   }
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DoneEvent, DoneStatus, ExecutorEvent } from '../events.ts';
import { EXECUTOR_EVENT_TYPES } from '../events.ts';
import type { Recording } from './fake-process.ts';

/** What a transcript follows: the CLI and version it stands for, and the document it was written from. */
export interface TranscriptSource {
  cli: string;
  version: string;
  document: string;
}

export type ExpectedEvent = Partial<ExecutorEvent> & { type: ExecutorEvent['type'] };

export interface TranscriptExpectation {
  done: Partial<DoneEvent> & { status: DoneStatus };
  events?: ExpectedEvent[];
  sessionId?: string;
  usage?: boolean;
  exitCode?: number | null;
  signal?: string;
  stderr?: string[];
  input?: { prompt?: string; options?: Record<string, unknown>; config?: Record<string, unknown> };
  approvals?: ExpectedApproval[];
  executor?: string;
  source?: TranscriptSource;
}

/** An approval a transcript's run must ask for, and how the kit answers it. */
export interface ExpectedApproval {
  tool: string;
  outcome?: 'approved' | 'denied';
  scope?: 'once' | 'always';
  reason?: string;
}

export interface Transcript {
  name: string;
  recording: Recording;
  expected: TranscriptExpectation;
}

const EXPECTED_SUFFIX = '.expected.json';
const DONE_STATUSES: readonly DoneStatus[] = ['succeeded', 'failed', 'cancelled'];

type FieldCheck = (value: unknown) => string | null;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

const FIELDS: Record<keyof TranscriptExpectation, FieldCheck> = {
  done: (value) => (isRecord(value) && DONE_STATUSES.includes(value['status'] as DoneStatus) ? null : `must be an object whose status is one of ${DONE_STATUSES.join(', ')}`),
  events: (value) =>
    Array.isArray(value) && value.every((event) => isRecord(event) && EXECUTOR_EVENT_TYPES.includes(event['type'] as ExecutorEvent['type']))
      ? null
      : `must be a list of objects, each with a "type" among ${EXECUTOR_EVENT_TYPES.join(', ')}`,
  sessionId: (value) => (typeof value === 'string' && value !== '' ? null : 'must be a non-empty string'),
  usage: (value) => (typeof value === 'boolean' ? null : 'must be true or false'),
  exitCode: (value) => (value === null || Number.isInteger(value) ? null : 'must be an integer or null'),
  signal: (value) => (typeof value === 'string' && value !== '' ? null : 'must be a signal name such as "SIGKILL"'),
  stderr: (value) => (stringList(value) ? null : 'must be a list of strings'),
  input: (value) =>
    isRecord(value) &&
    (value['prompt'] === undefined || typeof value['prompt'] === 'string') &&
    (value['options'] === undefined || isRecord(value['options'])) &&
    (value['config'] === undefined || isRecord(value['config']))
      ? null
      : 'must be an object with an optional string "prompt" and optional objects "options" and "config"',
  approvals: (value) =>
    Array.isArray(value) &&
    value.every(
      (approval) =>
        isRecord(approval) &&
        typeof approval['tool'] === 'string' &&
        [undefined, 'approved', 'denied'].includes(approval['outcome'] as string) &&
        [undefined, 'once', 'always'].includes(approval['scope'] as string) &&
        (approval['reason'] === undefined || typeof approval['reason'] === 'string'),
    )
      ? null
      : 'must be a list of {"tool", "outcome"?: "approved"|"denied", "scope"?: "once"|"always", "reason"?}',
  executor: (value) => (typeof value === 'string' ? null : 'must be an executor id'),
  source: (value) =>
    isRecord(value) && ['cli', 'version', 'document'].every((key) => typeof value[key] === 'string' && value[key] !== '') && Object.keys(value).length === 3
      ? null
      : 'must be {"cli", "version", "document"}, each a non-empty string',
};

/** Every transcript in a folder, sorted by name. A malformed file is the author's setup error, so it throws. */
export function loadTranscripts(dir: string): Transcript[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new TypeError(`transcripts: cannot read the folder ${dir} (${(error as Error).message})`);
  }
  const recordings = names.filter((name) => name.endsWith('.jsonl')).map((name) => name.slice(0, -'.jsonl'.length));
  for (const expected of names.filter((name) => name.endsWith(EXPECTED_SUFFIX))) {
    const name = expected.slice(0, -EXPECTED_SUFFIX.length);
    if (!recordings.includes(name)) throw new TypeError(`transcripts: ${path.join(dir, expected)} has no recording ${name}.jsonl next to it`);
  }
  return recordings.sort().map((name) => loadTranscript(dir, name));
}

function loadTranscript(dir: string, name: string): Transcript {
  const expectedFile = path.join(dir, name + EXPECTED_SUFFIX);
  let expected: unknown;
  try {
    expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
  } catch (error) {
    throw new TypeError(`transcripts: cannot read ${expectedFile} (${(error as Error).message}); every <name>.jsonl needs a <name>${EXPECTED_SUFFIX}`);
  }
  if (!isRecord(expected)) throw new TypeError(`transcripts: ${expectedFile} must hold a JSON object`);
  const problems = Object.entries(expected).map(([field, value]) => {
    const check = FIELDS[field as keyof TranscriptExpectation];
    if (check === undefined) return `unknown field "${field}" (known: ${Object.keys(FIELDS).join(', ')})`;
    const problem = check(value);
    return problem === null ? null : `"${field}" ${problem}`;
  });
  if (expected['done'] === undefined) problems.push('"done" is required');
  const found = problems.filter((problem) => problem !== null);
  if (found.length > 0) throw new TypeError(`transcripts: ${expectedFile}: ${found.join('; ')}`);

  const valid = expected as unknown as TranscriptExpectation;
  const stdout = readFileSync(path.join(dir, `${name}.jsonl`), 'utf8').split('\n');
  // The newline that ends the last line is not a line of its own; a CR is what CRLF output leaves.
  if (stdout.at(-1) === '') stdout.pop();
  return {
    name,
    recording: {
      stdout: stdout.map((line) => line.replace(/\r$/, '')),
      ...(valid.stderr === undefined ? {} : { stderr: valid.stderr }),
      exitCode: valid.exitCode ?? 0,
      signal: valid.signal ?? null,
    },
    expected: valid,
  };
}
