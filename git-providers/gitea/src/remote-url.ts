import { parseGitRemote, type MatchRemoteOptions, type RemoteRef } from '@forge-core/sdk';

/** The public instances claimed without configuration: Gitea's own, and Codeberg (Forgejo). */
export const GITEA_PUBLIC_HOSTS: readonly string[] = ['gitea.com', 'codeberg.org'];

/**
 * User and organization names and repository names on Gitea are letters, digits, `-`, `_` and
 * `.`; "." and ".." are not names. A repository name cannot end in ".git" (a reserved pattern),
 * so a trailing ".git" on a remote is always git's suffix, never part of the name.
 */
const NAME = /^[\w.-]+$/;
const isName = (segment: string) => NAME.test(segment) && segment !== '.' && segment !== '..';

/** `owner/repo`; anything else (a sub-path, a web page URL) is not a repository. */
function ownerAndRepo(segments: readonly string[]): { owner: string; repo: string } | null {
  if (segments.length !== 2) return null;
  const [owner, repo] = segments as [string, string];
  return isName(owner) && isName(repo) ? { owner, repo } : null;
}

/**
 * The repository a git remote points at on a Gitea or Forgejo server: https (with or without
 * credentials), ssh:// with or without a port, and scp-like `git@host:owner/repo`. Without
 * `anyHost` only the public hosts are claimed; a self-hosted server is read with `anyHost`.
 * Never throws: it runs on every remote of every project.
 */
export function matchGiteaRemote(url: string, options: MatchRemoteOptions = {}): RemoteRef | null {
  const remote = parseGitRemote(url);
  if (remote === null) return null;
  if (options.anyHost !== true && !GITEA_PUBLIC_HOSTS.includes(remote.host)) return null;
  const repository = ownerAndRepo(remote.segments);
  return repository === null ? null : { host: remote.host, ...repository };
}
