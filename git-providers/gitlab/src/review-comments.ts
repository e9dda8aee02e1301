import type { ProviderContext, PullRequestRef, ReviewComment } from '@forge-core/sdk';
import type { GitLabNote } from './api-types.ts';
import { readMergeRequest } from './merge-requests.ts';
import { projectPath, projectUrl, readAllPages, unexpectedAnswer } from './gitlab-api.ts';

const isNote = (note: unknown): note is GitLabNote => typeof note === 'object' && note !== null && Number.isInteger((note as GitLabNote).id);

/**
 * Where a diff note points: the file and line in the new version; a note on a removed line has
 * only the old ones, which still show the agent what was commented on.
 */
function placeOf(note: GitLabNote): Pick<ReviewComment, 'path' | 'line'> {
  const position = note.position;
  if (typeof position !== 'object' || position === null) return {};
  const path = position.new_path ?? position.old_path;
  const line = position.new_line ?? position.old_line;
  return {
    ...(typeof path === 'string' && path !== '' ? { path } : {}),
    ...(Number.isInteger(line) ? { line: line as number } : {}),
  };
}

/**
 * Every comment people wrote on the merge request, diff notes with their file and line, oldest
 * first. Notes carry no web URL of their own; GitLab's is the merge request's page with the
 * note's anchor, so the merge request is read first.
 */
export async function readReviewComments(ref: PullRequestRef, ctx: ProviderContext): Promise<ReviewComment[]> {
  const mergeRequest = await readMergeRequest(ref, ctx);
  const what = `listing the notes of merge request !${ref.number} of ${projectPath(ref.remote)}`;
  const notes = await readAllPages<unknown>(ctx, projectUrl(ctx, ref.remote, ['merge_requests', ref.number, 'notes'], { order_by: 'created_at', sort: 'asc' }), what);
  return notes
    .map((note) => {
      if (!isNote(note)) throw unexpectedAnswer(what, 'a list of notes');
      return note;
    })
    .filter((note) => note.system !== true)
    .map((note) => ({
      id: String(note.id),
      author: note.author?.username ?? '',
      body: note.body ?? '',
      createdAt: note.created_at ?? '',
      ...placeOf(note),
      url: `${mergeRequest.web_url}#note_${note.id}`,
    }));
}
