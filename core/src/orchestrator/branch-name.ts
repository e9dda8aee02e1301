const SLUG_LIMIT = 32;

/** `forge/<8 hex of the attempt id>-<slug of the title>`: unique, and readable in `git branch`. */
export function branchName(prefix: string, attemptId: string, title: string): string {
  // The id's tail is random; its head is a timestamp shared by attempts made in the same instant.
  const shortId = attemptId.replace(/-/g, '').slice(-8);
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_LIMIT)
    .replace(/^-+|-+$/g, '');
  return slug ? `${prefix}/${shortId}-${slug}` : `${prefix}/${shortId}`;
}
