import type { MatchRemoteOptions, RemoteRef } from '@forge-core/sdk';

const GITHUB_COM = 'github.com';
/** GitHub's SSH endpoint on the HTTPS port, for networks that block port 22: `ssh://git@ssh.github.com:443/owner/repo.git`. */
const SSH_OVER_HTTPS_HOST = 'ssh.github.com';

// scheme://[user[:password]@]host[:port]/path; the user part runs to the last "@" before the path.
const URL_REMOTE = /^(https?|ssh):\/\/(?:[^/?#]*@)?(\[[\da-f:.]+\]|[a-z\d](?:[a-z\d.-]*[a-z\d])?)(?::(\d{1,5}))?(\/[^?#]*)$/i;
// git's scp-like syntax, user@host:path. A user is required, so a Windows path ("C:/repo") is never read as a host.
const SCP_REMOTE = /^[^@/:\s]+@([a-z\d](?:[a-z\d.-]*[a-z\d])?):([^?#]*)$/i;
// GitHub's names: owner logins and repository names are letters, digits, "-", "_" and ".".
const NAME = /^[\w.-]+$/;

interface ParsedRemote {
  scheme: 'https' | 'http' | 'ssh';
  host: string;
  port: string | undefined;
  path: string;
}

function parseRemote(url: string): ParsedRemote | null {
  const trimmed = url.trim();
  const asUrl = URL_REMOTE.exec(trimmed);
  if (asUrl !== null) {
    const [, scheme, host, port, path] = asUrl as unknown as [string, string, string, string | undefined, string];
    return { scheme: scheme.toLowerCase() as ParsedRemote['scheme'], host: host.toLowerCase(), port, path };
  }
  const asScp = SCP_REMOTE.exec(trimmed);
  if (asScp !== null) {
    const [, host, path] = asScp as unknown as [string, string, string];
    return { scheme: 'ssh', host: host.toLowerCase(), port: undefined, path };
  }
  return null;
}

/** "owner/repo", "/owner/repo.git", "owner/repo/": exactly two names, or null. */
function ownerAndRepo(path: string): { owner: string; repo: string } | null {
  const segments = path.replace(/^\/+/, '').replace(/\/$/, '').replace(/\.git$/, '').split('/');
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
  if (typeof url !== 'string') return null;
  const remote = parseRemote(url);
  if (remote === null) return null;
  const names = ownerAndRepo(remote.path);
  if (names === null) return null;
  const sshOverHttps = remote.host === SSH_OVER_HTTPS_HOST && remote.scheme === 'ssh' && remote.port === '443';
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
