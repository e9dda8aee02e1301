import { createClaudeStreamReader } from './claude-stream-output.ts';
import type { CustomOptions } from './custom-options.ts';
import { createJsonlReader } from './jsonl-output.ts';
import type { OutputReader } from './output-reader.ts';
import { createTextReader } from './text-output.ts';

/** The reader for the profile's `output` mode. */
export function createOutputReader(options: CustomOptions, worktree: string, sessionIdPattern: RegExp | undefined): OutputReader {
  switch (options.output) {
    case 'text':
      return createTextReader({ sessionIdPattern });
    case 'jsonl':
      return createJsonlReader(options, worktree);
    case 'claude-stream-json':
      return createClaudeStreamReader(worktree);
  }
}
