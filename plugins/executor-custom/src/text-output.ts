import { truncate, visibleText, type ExecutorEvent } from '@forge-core/sdk';
import type { OutputReader } from './output-reader.ts';
import { processDone } from './run-outcome.ts';
import { MAX_EVENT_TEXT_LENGTH, MAX_ID_LENGTH } from './text-limits.ts';

/** A paragraph this long is shown without waiting for its end, so long output still streams. */
export const MAX_PARAGRAPH_LINES = 100;

export interface TextReaderOptions {
  /** Finds the session id in a line: its first group, or the whole match. */
  sessionIdPattern?: RegExp | undefined;
}

/**
 * Reads plain text output. Consecutive non-blank stdout lines make one assistant message, ended
 * by a blank line, by the end of the output or after MAX_PARAGRAPH_LINES lines: a CLI writes a
 * paragraph in one go, and one message per line would shred it. Grouping by blank lines rather
 * than by when lines arrive keeps a replay identical to the live run. The last message is the
 * run's summary.
 */
export function createTextReader(options: TextReaderOptions = {}): OutputReader {
  let paragraph: string[] = [];
  let lastMessage: string | undefined;
  let sessionId: string | undefined;

  function closeParagraph(): ExecutorEvent[] {
    if (paragraph.length === 0) return [];
    const text = truncate(paragraph.join('\n'), MAX_EVENT_TEXT_LENGTH);
    paragraph = [];
    lastMessage = text;
    return [{ type: 'message', role: 'assistant', text }];
  }

  function sessionEvents(line: string): ExecutorEvent[] {
    const match = options.sessionIdPattern?.exec(line);
    const found = (match?.[1] ?? match?.[0])?.trim();
    if (found === undefined || found === '' || found === sessionId || found.length > MAX_ID_LENGTH) return [];
    sessionId = found;
    return [{ type: 'session', sessionId: found }];
  }

  return {
    readLine(raw) {
      const line = visibleText(raw).trimEnd();
      const events = sessionEvents(line);
      if (line.trim() === '') return [...events, ...closeParagraph()];
      paragraph.push(line);
      return paragraph.length >= MAX_PARAGRAPH_LINES ? [...events, ...closeParagraph()] : events;
    },
    flush: closeParagraph,
    done: (end) => processDone(end, { summary: lastMessage }),
    summary: () => lastMessage,
  };
}
