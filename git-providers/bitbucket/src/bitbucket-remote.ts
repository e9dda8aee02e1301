import type { MatchRemoteOptions, RemoteRef } from '@forge-core/sdk';

/** The hosts Bitbucket Cloud serves git from; both answer the same repositories. */
const PUBLIC_HOSTS: ReadonlySet<string> = new Set(['bitbucket.org', 'www.bitbucket.org']);

/** Bitbucket Cloud's REST API 2.0; its paths start after this root. */
const PUBLIC_API_URL = 'https://api.bitbucket.org/2.0';

// scheme://[user[:password]@]host[:port]/path. The user part runs to the last "@" before the path,
// so a password holding "@" or ":" does not end it early.
const URL_REMOTE = /^(?:https?|ssh):\/\/(?:[^/?#]*@)?([a-z\d](?:[a-z\d.-]*[a-z\d])?)(?::\d{1,5})?(\/[^?#]*)$/i;
// git's scp-like form, user@host:path. The user is required, so "C:/repo" is never read as a host;
// a path starting with "/" is absolute on that host, not workspace/repo.
const SCP_REMOTE = /^[^@/:\s]+@([a-z\d](?:[a-z\d.-]*[a-z\d])?):(?!\/)([^?#]*)$/i;
// Workspace IDs and repository slugs are letters, digits, "-", "_" and "."; Bitbucket lowercases
// slugs itself, and a remote keeps whatever case the user cloned with.
const NAME = /^[\w.-]+$/;

function hostAndPath(url: string): { host: string; path: string } | null {
  const trimmed = url.trim();
  const match = URL_REMOTE.exec(trimmed) ?? SCP_REMOTE.exec(trimmed);
  if (match === null) return null;
  const [, host, path] = match as unknown as [string, string, string];
  return { host: host.toLowerCase(), path };
}

/** "workspace/repo_slug" with an optional leading "/", trailing "/" and ".git": exactly two names, or null. */
function workspaceAndSlug(path: string): { owner: string; repo: string } | null {
  const segments = path.replace(/^\//, '').replace(/\/$/, '').replace(/\.git$/, '').split('/');
  if (segments.length !== 2) return null;
  const [owner, repo] = segments as [string, string];
  const valid = (name: string) => NAME.test(name) && !/^\.+$/.test(name);
  return valid(owner) && valid(repo) ? { owner, repo } : null;
}

/**
 * The Bitbucket Cloud repository a git remote points at. bitbucket.org's own remotes are always
 * claimed; another host only when the user configured it for this provider (`anyHost`: a proxy or a
 * test host speaking the Cloud API). Never throws: every remote of every project passes through here.
 */
export function matchBitbucketRemote(url: string, options: MatchRemoteOptions = {}): RemoteRef | null {
  if (typeof url !== 'string') return null;
  const remote = hostAndPath(url);
  if (remote === null) return null;
  const names = workspaceAndSlug(remote.path);
  if (names === null) return null;
  return PUBLIC_HOSTS.has(remote.host) || options.anyHost === true ? { host: remote.host, ...names } : null;
}

/** The API root for a remote: api.bitbucket.org for Bitbucket Cloud, else `/2.0` on the host itself. */
export function bitbucketApiUrl(remote: RemoteRef): string {
  return PUBLIC_HOSTS.has(remote.host) ? PUBLIC_API_URL : `https://${remote.host}/2.0`;
}
