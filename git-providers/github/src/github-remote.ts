import { parseGitRemote, type MatchRemoteOptions, type RemoteRef } from '@forge-core/sdk';

const GITHUB_COM = 'github.com';
/** GitHub's SSH endpoint on the HTTPS port, for networks that block port 22: `ssh://git@ssh.github.com:443/owner/repo.git`. */
const SSH_OVER_HTTPS_HOST = 'ssh.github.com';

// GitHub's names: owner logins and repository names are letters, digits, "-", "_" and ".".
const NAME = /^[\w.-]+$/;

/** "owner/repo": exactly two names, or null. */
function ownerAndRepo(segments: readonly string[]): { owner: string; repo: string } | null {
  if (segments.length !== 2) return null;
  const [owner, repo] = segments as [string, string];
  const valid = (name: string) => NAME.test(name) && name !== '.' && name !== '..';
  return valid(owner) && valid(repo) ? { owner, repo } : null;
}

/**
 * The repository a git remote points at. GitHub.com's own remotes are always claimed; SSH over the
 * HTTPS port reaches the same GitHub.com. Any other host only when it is configured as a GitHub
 * Enterprise Server (`anyHost`). Never throws: every remote of every project passes through here.
 */
export function matchGitHubRemote(url: string, options: MatchRemoteOptions = {}): RemoteRef | null {
  const remote = parseGitRemote(url);
  if (remote === null) return null;
  const names = ownerAndRepo(remote.segments);
  if (names === null) return null;
  const sshOverHttps = remote.host === SSH_OVER_HTTPS_HOST && remote.scheme === 'ssh' && remote.port === 443;
  if (remote.host === GITHUB_COM || sshOverHttps) return { host: GITHUB_COM, ...names };
  return options.anyHost === true ? { host: remote.host, ...names } : null;
}

/**
 * Where a host's REST API lives: GitHub.com's on its own host; GitHub Enterprise Cloud with data
 * residency (SUBDOMAIN.ghe.com) on api.SUBDOMAIN.ghe.com; GitHub Enterprise Server under /api/v3.
 */
export function gitHubApiUrl(remote: RemoteRef): string {
  if (remote.host === GITHUB_COM) return 'https://api.github.com';
  if (remote.host.endsWith('.ghe.com')) return `https://api.${remote.host}`;
  return `https://${remote.host}/api/v3`;
}
