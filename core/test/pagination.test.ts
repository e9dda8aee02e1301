import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

describe('paging a list with cursors', () => {
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;

  before(async () => {
    server = await startTestServer();
    repos = tempDir('forge-pages-');
  });

  after(async () => {
    await server.close();
    repos.cleanup();
  });

  it('walks every task once, in creation order, and refuses a cursor it did not give out', async () => {
    const projectId = (await server.request('POST', '/projects', { name: 'pages', repoPath: makeRepo(join(repos.path, 'repo')) })).body.id;
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await server.request('POST', '/tasks', { projectId, title: `task ${i}` })).body.id);
    const seen: string[] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await server.request('GET', `/tasks?projectId=${projectId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(status, 200, JSON.stringify(body));
      seen.push(...body.items.map((t: { id: string }) => t.id));
      cursor = body.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    assert.deepEqual(seen, created);
    assert.equal(cursors.length, 2);

    const forged = Buffer.from('not an id').toString('base64url');
    const refused = await server.request('GET', `/tasks?projectId=${projectId}&cursor=${forged}`);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'FORGE_VALIDATION_FAILED');
    assert.equal(refused.body.error.details.problems[0].path, 'cursor');
  });
});
