/**
 * Gitea and Forgejo have no draft flag to set: a pull request is a draft ("work in progress")
 * while its title starts with one of `[repository.pull-request] WORK_IN_PROGRESS_PREFIXES`,
 * compared case-insensitively; the default list is "WIP:" and "[WIP]" (config cheat sheet,
 * `modules/setting/repository.go`). A server configured with other prefixes still gets "WIP: "
 * titles from Forge, but its own prefixes read back as not drafts.
 */
const DEFAULT_PREFIXES = ['WIP:', '[WIP]'];

/** What Forge writes in front of a draft's title; the first default prefix, as Gitea's web UI writes it. */
const DRAFT_PREFIX = 'WIP: ';

function workInProgressPrefix(title: string): string | undefined {
  const upper = title.toUpperCase();
  return DEFAULT_PREFIXES.find((prefix) => upper.startsWith(prefix));
}

/** The title to send for a pull request; a draft's gets the prefix unless it has one already. */
export function titleToSend(title: string, draft: boolean): string {
  return draft && workInProgressPrefix(title) === undefined ? `${DRAFT_PREFIX}${title}` : title;
}

/** A title as the host stores it, read back: whether it marks a draft, and the title without the mark. */
export function readTitle(stored: string): { title: string; workInProgress: boolean } {
  const prefix = workInProgressPrefix(stored);
  if (prefix === undefined) return { title: stored, workInProgress: false };
  return { title: stored.slice(prefix.length).trimStart(), workInProgress: true };
}
