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
  /** The commit the remote's branch must hold for the push to replace it ('' for none); absent: only a fast-forward. */
  lease?: string;
  timeoutMs: number;
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
    const lease = push.lease === undefined ? [] : [`--force-with-lease=refs/heads/${push.branch}:${push.lease}`];
    await git(['--git-dir', shim, 'push', '--porcelain', ...lease, credentials.url, `${push.commit}:refs/heads/${push.branch}`], {
      cwd: shim,
      timeoutMs: push.timeoutMs,
      env: pushCredentialEnvironment(credentials.url, credentials.username, credentials.token),
    });
  } finally {
    await rm(shim, { recursive: true, force: true });
  }
}
