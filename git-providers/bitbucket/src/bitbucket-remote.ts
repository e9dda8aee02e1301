import { parseGitRemote, type MatchRemoteOptions, type RemoteRef } from '@forge-core/sdk';

/** The hosts Bitbucket Cloud serves git from; both answer the same repositories. */
const PUBLIC_HOSTS: ReadonlySet<string> = new Set(['bitbucket.org', 'www.bitbucket.org']);

/** Bitbucket Cloud's REST API 2.0; its paths start after this root. */
const PUBLIC_API_URL = 'https://api.bitbucket.org/2.0';

// Workspace IDs and repository slugs are letters, digits, "-", "_" and "."; Bitbucket lowercases
// slugs itself, and a remote keeps whatever case the user cloned with.
const NAME = /^[\w.-]+$/;

/** "workspace/repo_slug": exactly two names, or null. */
function workspaceAndSlug(segments: readonly string[]): { owner: string; repo: string } | null {
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
  const remote = parseGitRemote(url);
  if (remote === null) return null;
  const names = workspaceAndSlug(remote.segments);
  if (names === null) return null;
  return PUBLIC_HOSTS.has(remote.host) || options.anyHost === true ? { host: remote.host, ...names } : null;
}

/** The API root for a remote: api.bitbucket.org for Bitbucket Cloud, else `/2.0` on the host itself. */
export function bitbucketApiUrl(remote: RemoteRef): string {
  return PUBLIC_HOSTS.has(remote.host) ? PUBLIC_API_URL : `https://${remote.host}/2.0`;
}
