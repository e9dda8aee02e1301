import type { MatchRemoteOptions, RemoteRef } from '@forge-core/sdk';

/** The public instances claimed without configuration: Gitea's own, and Codeberg (Forgejo). */
export const GITEA_PUBLIC_HOSTS: readonly string[] = ['gitea.com', 'codeberg.org'];

/**
 * User and organization names and repository names on Gitea are letters, digits, `-`, `_` and
 * `.`; "." and ".." are not names. A repository name cannot end in ".git" (a reserved pattern),
 * so a trailing ".git" on a remote is always git's suffix, never part of the name.
 */
const NAME = /^[\w.-]+$/;
const isName = (segment: string) => NAME.test(segment) && segment !== '.' && segment !== '..';

/** `git@host:owner/repo.git` (scp-like syntax): no scheme, a colon not followed by "/", no port. */
const SCP_LIKE = /^(?:[^@/\s]+@)?([^@/:\s]+):(?!\/)([^\s]*)$/;

/** The host and the repository path of a remote, in either URL or scp-like form; null when it is neither. */
function hostAndPath(url: string): { host: string; path: string } | null {
  const scp = SCP_LIKE.exec(url);
  if (scp !== null) return { host: scp[1] as string, path: scp[2] as string };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!['https:', 'http:', 'ssh:'].includes(parsed.protocol) || parsed.search !== '' || parsed.hash !== '') return null;
  // URL keeps an ssh: host as written; an https: one is lowercased already. Either way, no port.
  return { host: parsed.hostname, path: parsed.pathname.replace(/^\//, '') };
}

/** `owner/repo`, with an optional ".git" and trailing slash; anything else (a sub-path, a web page URL) is not a repository. */
function ownerAndRepo(path: string): { owner: string; repo: string } | null {
  const segments = path.replace(/\/$/, '').replace(/\.git$/, '').split('/');
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
  const found = hostAndPath(url.trim());
  if (found === null) return null;
  const host = found.host.toLowerCase();
  if (host === '' || (options.anyHost !== true && !GITEA_PUBLIC_HOSTS.includes(host))) return null;
  const repository = ownerAndRepo(found.path);
  return repository === null ? null : { host, ...repository };
}
