import assert from 'node:assert/strict';
import { join } from 'node:path';
import { git } from './support/git-repo.ts';
import { startServerWithProject } from './support/test-server.ts';

describe('one repository, one project', () => {
  it('refuses another worktree of a project’s repository as a second project', async () => {
    const { server, repo, projectId, close } = await startServerWithProject();
    try {
      const linked = join(repo, '..', 'linked');
      git(repo, 'worktree', 'add', '-q', '-b', 'other', linked, 'main');
      const refused = await server.request('POST', '/projects', { name: 'linked', repoPath: linked });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_CONFLICT');
      assert.equal(refused.body.error.details.projectId, projectId);
      assert.match(refused.body.error.message, /worktree of the repository of the project/);
      assert.equal((await server.request('GET', '/projects')).body.items.length, 1);
    } finally {
      await close();
    }
  });
});
