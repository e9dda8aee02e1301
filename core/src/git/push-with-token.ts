import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, gitOutput } from './git.ts';
import { pushCredentialEnvironment } from './push-credentials.ts';

/** A token for the project's code host, and where it may go. */
export interface PushCredentials {
  /** The remote URL Forge checked (the project's): the push goes there, whatever the repository's configuration says. */
  url: string;
  username: string;
  token: string;
  /** Who refused, for messages: "GitHub (github) at github.com, with the token from GITHUB_TOKEN". */
  describe: string;
}

export interface TokenPush {
  commit: string;
  branch: string;
  /**
   * Replace the remote's branch, but only over what Forge pushed there (`pushed`, the last commit
   * it sent, or null), over nothing, or over an ancestor of `commit`; absent: only a fast-forward.
   */
  lease?: { pushed: string | null };
  timeoutMs: number;
}

/** The remote's branch holds commits Forge neither pushed nor has: someone else pushed there. */
export class ForeignCommitsError extends Error {
  override name = 'ForeignCommitsError';
  constructor(readonly remoteCommit: string) {
    super(`the remote's branch is at ${remoteCommit}, which Forge did not push`);
  }
}

/**
 * What the remote's branch may hold for the push to replace it: nothing, what Forge pushed last,
 * or an ancestor of the commit (a push Forge made but did not get to record, or a branch the host
 * deleted). Anything else is someone else's work: refused.
 */
async function leaseFor(shim: string, url: string, env: Record<string, string>, push: TokenPush, pushed: string | null): Promise<string> {
  const listed = await gitOutput(['--git-dir', shim, 'ls-remote', url, `refs/heads/${push.branch}`], { cwd: shim, timeoutMs: push.timeoutMs, env });
  // ls-remote matches the end of ref names: only the exact ref counts.
  const line = listed.split('\n').find((entry) => entry.split('\t')[1] === `refs/heads/${push.branch}`);
  const remote = line?.split('\t')[0] ?? '';
  if (remote === '' || remote === pushed) return remote;
  const ancestor = await git(['--git-dir', shim, 'merge-base', '--is-ancestor', remote, push.commit], { cwd: shim }).then(
    () => true,
    () => false,
  );
  if (!ancestor) throw new ForeignCommitsError(remote);
  return remote;
}

/**
 * Pushes `commit` to `refs/heads/<branch>` at `credentials.url` from a throwaway bare repository
 * that borrows the project's objects (git's alternates). The project's own configuration is
 * never read: an agent can write it (its worktree shares it), and git obeys it to run commands or
 * to send the push elsewhere (`pushurl`, `insteadOf`, `core.sshCommand`, `receivepack`, hooks),
 * which would hand them the token. The token rides only in this command's environment, for the
 * credential helper.
 */
export async function pushWithToken(repo: string, credentials: PushCredentials, push: TokenPush): Promise<void> {
  const objects = await gitOutput(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repo });
  const shim = await mkdtemp(join(tmpdir(), 'forge-push-'));
  try {
    await git(['init', '-q', '--bare', shim], { cwd: shim });
    await writeFile(join(shim, 'objects', 'info', 'alternates'), `${join(objects, 'objects')}\n`);
    // Normalised (host in lower case, no default port), as the credential helper compares it with what git says.
    const url = new URL(credentials.url).href;
    const env = pushCredentialEnvironment(url, credentials.username, credentials.token);
    const lease = push.lease === undefined ? [] : [`--force-with-lease=refs/heads/${push.branch}:${await leaseFor(shim, url, env, push, push.lease.pushed)}`];
    await git(['--git-dir', shim, 'push', '--porcelain', ...lease, url, `${push.commit}:refs/heads/${push.branch}`], {
      cwd: shim,
      timeoutMs: push.timeoutMs,
      env,
    });
  } finally {
    await rm(shim, { recursive: true, force: true });
  }
}
