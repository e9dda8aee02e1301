import type { Check, ReviewComment } from '@forge-core/sdk';
import type { Attempt } from '../store/attempt-store.ts';
import type { Task } from '../store/task-store.ts';

const BODY_LIMIT = 60_000;
/** One review comment in a follow-up at most, in characters: a pasted log is not a review. */
const COMMENT_LIMIT = 20_000;

const shortened = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);

/** A pull request's description: the task, what the agent's commits say, and where it came from. */
export function pullRequestBody(task: Task, attempt: Attempt, commitMessages: readonly string[], extra?: string): string {
  const parts = [
    extra?.trim(),
    task.description?.trim(),
    commitMessages.length > 0 ? `### What the agent did\n\n${commitMessages.map((message) => message.trim()).join('\n\n---\n\n')}` : undefined,
    `_Opened by Forge Core for attempt \`${attempt.id}\` (${attempt.executor.id}) of task \`${task.id}\`._`,
  ].filter((part): part is string => Boolean(part));
  return shortened(parts.join('\n\n'), BODY_LIMIT);
}

/** The follow-up an agent gets when checks of its pull request failed. */
export function checksFailedPrompt(url: string, sha: string, failed: readonly Check[]): string {
  const lines = failed.map((check) => {
    const where = check.url ? ` (${check.url})` : '';
    const summary = check.summary?.trim() ? `\n\n\`\`\`\n${check.summary.trim()}\n\`\`\`` : '';
    return `- ${check.name}${where}${summary}`;
  });
  return [
    `The CI checks of your pull request ${url} failed on commit ${sha}:`,
    '',
    ...lines,
    '',
    'Find the cause, fix it in this worktree and commit. Forge pushes your commits to the pull request when you finish.',
  ].join('\n');
}

/** The follow-up an agent gets for new review comments on its pull request. */
export function reviewCommentsPrompt(url: string, comments: readonly ReviewComment[]): string {
  const lines = comments.map((comment) => {
    const where = comment.path ? ` on ${comment.path}${comment.line !== undefined ? `:${comment.line}` : ''}` : '';
    return `- ${comment.author}${where}:\n\n${shortened(comment.body.trim(), COMMENT_LIMIT).replace(/^/gm, '  > ')}`;
  });
  return [
    `Reviewers commented on your pull request ${url}:`,
    '',
    ...lines,
    '',
    'Address each comment in this worktree and commit. Forge pushes your commits to the pull request when you finish.',
  ].join('\n');
}
