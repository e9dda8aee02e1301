import { chmod, lstat, open, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gitOutput } from '../git/git.ts';
import { gitCommonDir } from '../git/refs.ts';
import { pathExists } from './path-exists.ts';

// What git's folder for a linked worktree holds once `worktree add` and its checkout are done.
// The rest is what a last use left: a merge, rebase, cherry-pick or bisect under way, lock files,
// per-worktree configuration (a hooks path, a sparse checkout), per-worktree refs, the reflog.
const FRESH_ADMIN_ENTRIES = new Set(['HEAD', 'commondir', 'gitdir', 'index', 'locked']);
// What an ordinary use leaves there (a reset, commits, a fetch). Anything else also drops the
// index, so the checkout writes every file again instead of trusting an index that state may have
// shaped (a conflicted merge).
const ORDINARY_LEFTOVERS = new Set(['ORIG_HEAD', 'logs', 'COMMIT_EDITMSG', 'FETCH_HEAD']);
// The index format `read-tree` writes unless the repository asks for another (index.version,
// feature.manyFiles): 2, or 3 when an entry has extended flags (skip-worktree, intent-to-add).
const PLAIN_INDEX_VERSION = 2;

/** Git commands the pool runs in a worktree run no hook: neither does the cold path (add --no-checkout, reset --hard). */
export const WITHOUT_HOOKS = ['-c', 'core.hooksPath=/dev/null'] as const;

/**
 * The worktree's own git folder: the one its `.git` file names, once that folder sits in the
 * repository's `worktrees/` folder, names this worktree back and shares the repository's objects.
 * Whatever a last user wrote into `.git` or the folder, nothing outside this worktree's own entry
 * is ever scrubbed. Throws when the path is not a linked worktree of the repository.
 */
export async function adminDirOf(repoPath: string, path: string): Promise<string> {
  const match = /^gitdir: (.+)\n?$/.exec(await readFile(join(path, '.git'), 'utf8').catch(() => ''));
  const admin = match && (await realpath(match[1]!).catch(() => null));
  const entries = await realpath(join(await gitCommonDir(repoPath), 'worktrees'));
  const [backlink, commondir] = admin
    ? await Promise.all([readFile(join(admin, 'gitdir'), 'utf8').catch(() => ''), readFile(join(admin, 'commondir'), 'utf8').catch(() => '')])
    : ['', ''];
  if (!admin || dirname(admin) !== entries || backlink !== `${join(await realpath(path), '.git')}\n` || commondir !== '../..\n') {
    throw new Error(`${path} is not a linked worktree of ${repoPath}`);
  }
  return admin;
}

/**
 * Leaves the admin folder as `worktree add` makes it. The index goes too when the last use was
 * out of the ordinary or left entries a fresh index lacks, so the next checkout writes every file.
 */
export async function resetAdmin(admin: string, worktree: string): Promise<void> {
  let unusual = false;
  for (const name of await readdir(admin)) {
    if (FRESH_ADMIN_ENTRIES.has(name)) continue;
    if (!ORDINARY_LEFTOVERS.has(name)) unusual = true;
    await rm(join(admin, name), { recursive: true, force: true });
  }
  if (unusual || !(await indexIsPlain(admin, worktree))) await rm(join(admin, 'index'), { force: true });
}

/** Whether the worktree has initialised submodules: their repositories live in its admin folder, their files where no clean reaches. */
export async function hasSubmoduleRepositories(admin: string): Promise<boolean> {
  return pathExists(join(admin, 'modules'));
}

/**
 * Gives the worktree, every folder and every file in it the mode git gives a new one under this
 * process's umask (git tracks only the executable bit, so a `chmod 600` or a folder made private
 * would otherwise outlive the attempt), and removes what git never writes and `clean` does not
 * see: FIFOs, sockets, device nodes. Symlinks have no mode of their own.
 */
export async function resetTree(worktree: string): Promise<void> {
  const umask = await currentUmask();
  const folderMode = 0o777 & ~umask;
  const resetFolder = async (path: string, mode: number) => {
    if ((mode & 0o7777) !== folderMode) await chmod(path, folderMode);
  };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (dir === worktree && entry.name === '.git') continue;
      if (entry.isSymbolicLink()) continue;
      const { mode } = await lstat(path);
      if (entry.isDirectory()) {
        await resetFolder(path, mode);
        await walk(path);
      } else if (entry.isFile()) {
        const wanted = (mode & 0o100 ? 0o777 : 0o666) & ~umask;
        if ((mode & 0o7777) !== wanted) await chmod(path, wanted);
      } else {
        await rm(path, { force: true });
      }
    }
  };
  await resetFolder(worktree, (await lstat(worktree)).mode);
  await walk(worktree);
}

/** An index of the plain version whose every entry is a plain tracked file (`H`): no assume-unchanged, skip-worktree or conflict left. */
async function indexIsPlain(admin: string, worktree: string): Promise<boolean> {
  const header = Buffer.alloc(8);
  const file = await open(join(admin, 'index')).catch(() => null);
  if (!file) return true; // none: the checkout writes one
  try {
    await file.read(header, 0, 8, 0);
  } finally {
    await file.close();
  }
  if (header.toString('latin1', 0, 4) !== 'DIRC' || header.readUInt32BE(4) !== PLAIN_INDEX_VERSION) return false;
  const tags = await gitOutput(['ls-files', '-v', '-z'], { cwd: worktree }).catch(() => null);
  return tags !== null && tags.split('\0').every((entry) => entry === '' || entry.startsWith('H '));
}

/** The process's file mode creation mask, read without changing it where /proc tells it. */
async function currentUmask(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => null);
  const line = status && /^Umask:\s*([0-7]+)$/m.exec(status);
  return line ? parseInt(line[1]!, 8) : process.umask();
}
