import type { MatchRemoteOptions, RemoteRef } from '@forge-core/sdk';

/**
 * GitLab.com's own hosts, and the one each stands for. `altssh.gitlab.com` is GitLab.com's
 * documented SSH-over-port-443 host for networks that block port 22; its projects are
 * gitlab.com's, so the API must be gitlab.com's too.
 */
const PUBLIC_HOSTS: ReadonlyMap<string, string> = new Map([
  ['gitlab.com', 'gitlab.com'],
  ['altssh.gitlab.com', 'gitlab.com'],
]);

/**
 * One group or project path segment as GitLab allows it (Gitlab::PathRegex): ASCII letters,
 * digits, `_`, `.` and `-`, not starting with `-`. That also keeps out `-`, the segment that opens
 * GitLab's web routes (`/group/project/-/merge_requests/3`): a pasted page address is not a remote.
 */
const PATH_SEGMENT = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;
/** Lenient on purpose: internal hosts such as Docker service names carry underscores. */
const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$/;
/** `git@gitlab.com:group/project.git`: scp-like syntax, which git reads as SSH. The user is required, so `C:/repo` is never a host. */
const SCP_LIKE = /^[^@/\s:]+@([^/\s:]+):(?!\/\/)(.+)$/;

/** The repository a GitLab project path names: the last segment, under one or more (nested) groups. */
function projectOf(host: string, path: string): RemoteRef | null {
  const segments = path.replace(/^\/+/, '').replace(/\/$/, '').replace(/\.git$/i, '').split('/');
  if (segments.length < 2) return null;
  if (!segments.every((segment) => PATH_SEGMENT.test(segment) && !/^\.+$/.test(segment))) return null;
  return { host, owner: segments.slice(0, -1).join('/'), repo: segments[segments.length - 1] as string };
}

/** The host to report, lowercase and without port, or null when this provider must not claim it. */
function claimedHost(hostname: string, options: MatchRemoteOptions | undefined): string | null {
  const host = hostname.toLowerCase();
  if (!HOST_NAME.test(host)) return null;
  const publicHost = PUBLIC_HOSTS.get(host);
  if (publicHost !== undefined) return publicHost;
  return options?.anyHost === true ? host : null;
}

/** The address part of an https, http or ssh URL remote, or null for any other scheme or a malformed one. */
function urlParts(url: string): { hostname: string; path: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!['https:', 'http:', 'ssh:'].includes(parsed.protocol) || parsed.search !== '' || parsed.hash !== '') return null;
  return { hostname: parsed.hostname, path: parsed.pathname };
}

/**
 * The GitLab project a git remote URL points at: https (with or without credentials), ssh:// with
 * an optional port, or scp-like `git@host:group/project.git`; nested groups make the owner
 * ("group/sub"). Null for anything else; never throws, since it runs on every remote of every project.
 */
export function matchGitLabRemote(url: string, options?: MatchRemoteOptions): RemoteRef | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  const scp = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? null : SCP_LIKE.exec(trimmed);
  const parts = scp === null ? urlParts(trimmed) : { hostname: scp[1] as string, path: scp[2] as string };
  if (parts === null) return null;
  const host = claimedHost(parts.hostname, options);
  return host === null ? null : projectOf(host, parts.path);
}
