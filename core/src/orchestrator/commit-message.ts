import type { Attempt } from '../store/attempt-store.ts';

const SUBJECT_LIMIT = 72;

/** The agent's own summary makes the commit message; the trailer ties the commit to its attempt. */
export function commitMessage(summary: string | undefined, attempt: Attempt): string {
  const text = (summary ?? '').trim();
  const firstLine = text.split('\n', 1)[0]!.trim();
  const subject =
    firstLine === ''
      ? `Changes by ${attempt.executor.id}`
      : firstLine.length > SUBJECT_LIMIT
        ? `${firstLine.slice(0, SUBJECT_LIMIT - 1)}…`
        : firstLine;
  const body = text.length > firstLine.length || firstLine.length > SUBJECT_LIMIT ? `\n\n${text}` : '';
  return `${subject}${body}\n\nForge-Attempt: ${attempt.id}\nForge-Executor: ${attempt.executor.id}\n`;
}
