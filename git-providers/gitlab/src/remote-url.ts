import { parseGitRemote, type MatchRemoteOptions, type RemoteRef } from '@forge-core/sdk';

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

/** The repository a GitLab project path names: the last segment, under one or more (nested) groups. */
function projectOf(host: string, segments: readonly string[]): RemoteRef | null {
  if (segments.length < 2) return null;
  if (!segments.every((segment) => PATH_SEGMENT.test(segment) && !/^\.+$/.test(segment))) return null;
  return { host, owner: segments.slice(0, -1).join('/'), repo: segments[segments.length - 1] as string };
}

/** The host to report, or null when this provider must not claim it. */
function claimedHost(host: string, options: MatchRemoteOptions | undefined): string | null {
  const publicHost = PUBLIC_HOSTS.get(host);
  if (publicHost !== undefined) return publicHost;
  return options?.anyHost === true ? host : null;
}

/**
 * The GitLab project a git remote URL points at: https (with or without credentials), ssh:// with
 * an optional port, or scp-like `git@host:group/project.git`; nested groups make the owner
 * ("group/sub"). Null for anything else; never throws, since it runs on every remote of every project.
 */
export function matchGitLabRemote(url: string, options?: MatchRemoteOptions): RemoteRef | null {
  const remote = parseGitRemote(url);
  if (remote === null) return null;
  const host = claimedHost(remote.host, options);
  return host === null ? null : projectOf(host, remote.segments);
}
