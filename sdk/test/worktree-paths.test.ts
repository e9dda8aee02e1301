import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { relativeToWorktree, worktreeRoots } from '@forge-core/sdk';
import { makeTempDir, type TempDir } from '@forge-core/sdk/testing';

describe('worktree-paths: paths an agent reports, as clients show them', () => {
  it('makes a path under a root relative, /-separated', () => {
    assert.equal(relativeToWorktree('/srv/wt/src/a.ts', ['/srv/wt']), 'src/a.ts');
    assert.equal(relativeToWorktree('/private/srv/wt/b.ts', ['/srv/wt', '/private/srv/wt']), 'b.ts');
  });

  it('keeps a path outside every root, or the root itself, absolute', () => {
    assert.equal(relativeToWorktree('/srv/wt-other/a.ts', ['/srv/wt']), '/srv/wt-other/a.ts');
    assert.equal(relativeToWorktree('/srv/a.ts', ['/srv/wt']), '/srv/a.ts');
    assert.equal(relativeToWorktree('/srv/wt', ['/srv/wt']), '/srv/wt');
    assert.equal(relativeToWorktree('/srv/wt/a.ts', []), '/srv/wt/a.ts');
  });

  it('takes a relative path as relative to the worktree already, without a leading ./', () => {
    assert.equal(relativeToWorktree('./src/a.ts', ['/srv/wt']), 'src/a.ts');
    assert.equal(relativeToWorktree('src/a.ts', ['/srv/wt']), 'src/a.ts');
  });

  describe('worktreeRoots', () => {
    let dir: TempDir;
    beforeEach(async () => (dir = await makeTempDir('forge-worktree-roots')));
    afterEach(() => dir.cleanup());

    it('adds the real path of a worktree reached through a symlink', () => {
      const real = path.join(dir.path, 'real');
      const link = path.join(dir.path, 'link');
      mkdirSync(real);
      symlinkSync(real, link);
      assert.deepEqual(worktreeRoots(link), [link, real]);
      assert.deepEqual(worktreeRoots(real), [real]);
      assert.equal(relativeToWorktree(path.join(real, 'a.ts'), worktreeRoots(link)), 'a.ts');
    });

    it('keeps the given path alone when it does not exist', () => {
      const missing = path.join(dir.path, 'missing');
      assert.deepEqual(worktreeRoots(missing), [missing]);
    });
  });
});
