import assert from 'node:assert/strict';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

describe('paging a list with cursors', () => {
  let fixture: ServerWithProject;

  before(async () => (fixture = await startServerWithProject()));
  after(() => fixture.close());

  it('walks every task once, in creation order, and refuses a cursor it did not give out', async () => {
    const { server, projectId } = fixture;
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
