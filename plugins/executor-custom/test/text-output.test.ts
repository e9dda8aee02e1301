import assert from 'node:assert/strict';
import type { ExecutorEvent } from '@forge-core/sdk';
import type { RunEnd } from '../src/output-reader.ts';
import { createTextReader, MAX_PARAGRAPH_LINES } from '../src/text-output.ts';

const exited = (code: number | null, signal: string | null = null, extra: Partial<RunEnd> = {}): RunEnd => ({ command: 'agent', exit: { code, signal }, aborted: false, stderrTail: [], ...extra });

function readAll(lines: readonly string[], pattern?: RegExp): { events: ExecutorEvent[]; reader: ReturnType<typeof createTextReader> } {
  const reader = createTextReader({ sessionIdPattern: pattern });
  const events = lines.flatMap((line) => reader.readLine(line));
  return { events: [...events, ...reader.flush()], reader };
}

const messages = (events: readonly ExecutorEvent[]) => events.flatMap((event) => (event.type === 'message' ? [event.text] : []));

describe('text output', () => {
  it('makes each paragraph one message, without colour codes or redrawn progress', () => {
    const { events } = readAll(['\u001b[1mPlan\u001b[0m', 'step one', '', '', 'Downloading 10%\rDownloading 100%', '   ', 'done']);
    assert.deepEqual(messages(events), ['Plan\nstep one', 'Downloading 100%', 'done']);
  });

  it('sends a long paragraph in parts, so long output still streams', () => {
    const lines = Array.from({ length: MAX_PARAGRAPH_LINES + 1 }, (_, index) => `line ${index}`);
    const reader = createTextReader();
    const early = lines.flatMap((line) => reader.readLine(line));
    assert.equal(messages(early).length, 1);
    assert.equal(messages(early)[0]?.split('\n').length, MAX_PARAGRAPH_LINES);
    assert.deepEqual(messages(reader.flush()), [`line ${MAX_PARAGRAPH_LINES}`]);
  });

  it('reports the session sessionIdPattern finds, once per id', () => {
    const { events } = readAll(['Session: abc-1', 'again Session: abc-1', 'Session: abc-2'], /Session: (\S+)/);
    assert.deepEqual(
      events.filter((event) => event.type === 'session'),
      [
        { type: 'session', sessionId: 'abc-1' },
        { type: 'session', sessionId: 'abc-2' },
      ],
    );
    assert.deepEqual(readAll(['id=xyz'], /xyz/).events[0], { type: 'session', sessionId: 'xyz' });
  });

  it('succeeds on exit 0 with the last message as the summary', () => {
    const { reader } = readAll(['first', '', 'the summary']);
    assert.deepEqual(reader.done(exited(0)), { type: 'done', status: 'succeeded', exitCode: 0, summary: 'the summary' });
  });

  it('fails on another exit, quoting the last stderr lines', () => {
    const { reader } = readAll([]);
    assert.deepEqual(reader.done(exited(2, null, { stderrTail: ['boom', 'bang'] })), {
      type: 'done',
      status: 'failed',
      exitCode: 2,
      error: 'agent exited with code 2; its last stderr lines:\nboom\nbang',
    });
    assert.equal(reader.done(exited(null, 'SIGKILL')).error, 'agent was killed by SIGKILL');
  });

  it('ends cancelled when the run was stopped, whatever the exit', () => {
    const { reader } = readAll(['partial']);
    assert.deepEqual(reader.done(exited(null, 'SIGTERM', { aborted: true })), { type: 'done', status: 'cancelled', exitCode: null, summary: 'partial' });
  });
});
