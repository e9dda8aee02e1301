import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll } from '../src/git/commit.ts';
import { git as runGit } from '../src/git/git.ts';
import { headCommitInFiles } from '../src/git/head-commit.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';

/** Runs `work` with git seeing no global or system configuration: an identity can come only from the repository. */
async function withoutUserConfig<T>(home: string, work: () => Promise<T>): Promise<T> {
  const saved = { GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM };
  process.env.GIT_CONFIG_GLOBAL = join(home, 'no-such-gitconfig');
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('git given input it does not read', () => {
  it("answers when git exits before reading its input, instead of crashing on the pipe's EPIPE", async () => {
    // More than a pipe holds, so the write is still going when git (which reads none of it) exits.
    const { stdout } = await runGit(['--version'], { cwd: process.cwd(), input: 'x'.repeat(8 * 1024 * 1024) });
    assert.match(stdout, /^git version /);
  });
});

describe('committing an attempt worktree', () => {
  let dirs: ReturnType<typeof tempDir>;
  let repo: string;

  beforeEach(() => {
    dirs = tempDir('forge-commit-all-');
    repo = makeRepo(join(dirs.path, 'repo'));
  });

  afterEach(() => dirs.cleanup());

  const author = (ref = 'HEAD') => git(repo, 'log', '-1', '--format=%an <%ae>', ref);

  it('commits everything, new files included, as the repository identity, and returns the commit', async () => {
    writeFileSync(join(repo, 'README.md'), 'changed\n');
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    const commit = await commitAll(repo, 'The agent’s work\n\nForge-Attempt: a1\n');
    assert.equal(commit, git(repo, 'rev-parse', 'HEAD'));
    assert.equal(author(), 'Dev <dev@example.com>');
    assert.equal(git(repo, 'log', '-1', '--format=%B'), 'The agent’s work\n\nForge-Attempt: a1');
    assert.equal(git(repo, 'status', '--porcelain'), '');
  });

  it('returns the new commit of a linked worktree, on a branch or detached, as git names it', async () => {
    for (const [name, args] of [['on-branch', ['-b', 'feature']], ['detached', ['--detach']]] as const) {
      const worktree = join(dirs.path, name);
      git(repo, 'worktree', 'add', '-q', ...args, worktree, 'main');
      writeFileSync(join(worktree, `${name}.txt`), `${name}\n`);
      const commit = await commitAll(worktree, name);
      assert.equal(commit, git(worktree, 'rev-parse', 'HEAD'));
      assert.notEqual(commit, git(repo, 'rev-parse', 'main'));
    }
  });

  it('reads HEAD from the files only when they answer for certain', () => {
    assert.equal(headCommitInFiles(repo), git(repo, 'rev-parse', 'HEAD'));
    // Packed, the branch has no file of its own: git is asked instead.
    git(repo, 'pack-refs', '--all');
    assert.equal(headCommitInFiles(repo), null);
    assert.equal(headCommitInFiles(join(dirs.path, 'not-a-repository')), null);
  });

  it('returns null and makes no commit when nothing changed', async () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    assert.equal(await commitAll(repo, 'nothing'), null);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head);
  });

  it('commits as Forge Core when the repository has no identity, or half of one', async () => {
    git(repo, 'config', '--unset', 'user.email');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    await withoutUserConfig(dirs.path, () => commitAll(repo, 'name only'));
    assert.equal(author(), 'Forge Core <forge@localhost>', 'a name alone is not an identity: both come from the fallback');
    git(repo, 'config', '--unset', 'user.name');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    const commit = await withoutUserConfig(dirs.path, () => commitAll(repo, 'no identity'));
    assert.equal(commit, git(repo, 'rev-parse', 'HEAD'));
    assert.equal(author(), 'Forge Core <forge@localhost>');
  });

  it('commits as Forge Core when the repository’s name is empty (git refuses it as no identity)', async () => {
    git(repo, 'config', 'user.name', '');
    writeFileSync(join(repo, 'c.txt'), 'c\n');
    await withoutUserConfig(dirs.path, () => commitAll(repo, 'empty name'));
    assert.equal(author(), 'Forge Core <forge@localhost>');
  });

  it('fails with git\'s own reason when the commit fails for another reason than the identity', async () => {
    writeFileSync(join(repo, 'c.txt'), 'c\n');
    // Staging works; only the commit's update of the branch finds it locked.
    writeFileSync(join(repo, '.git', 'refs', 'heads', 'main.lock'), '');
    await assert.rejects(commitAll(repo, 'locked'), /main\.lock/);
    assert.equal(author(), 'Dev <dev@example.com>');
  });
});
