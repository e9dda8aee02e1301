import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { git, makeRepo } from '../support/git-repo.ts';
import { callOk, connectHttp } from '../support/mcp-clients.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * An orchestrating agent's session, through MCP alone: it registers a repository, splits the
 * work into three tasks, and runs them one after the other — start, read the log until the
 * agent is done, check the diff, merge, next.
 */
describe('orchestration through MCP alone', function () {
  this.timeout(120_000);
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;
  let client: Client;

  before(async () => {
    server = await startTestServer();
    repos = tempDir('forge-orchestration-');
    client = await connectHttp(server.url, '2026-07-28');
  });
  after(async () => {
    await client?.close();
    await server?.close();
    repos?.cleanup();
  });

  it('creates three tasks, and runs, reads, merges each in turn', async () => {
    const repo = makeRepo(join(repos.path, 'app'));
    const project = await callOk(client, 'create_project', { name: 'app', repoPath: repo });
    const steps = ['parser', 'printer', 'cli'];
    const tasks = [];
    for (const step of steps) {
      tasks.push(await callOk(client, 'create_task', { projectId: project.id, title: `Add the ${step}`, description: `write src/${step}.txt the ${step}` }));
    }
    assert.deepEqual((await callOk(client, 'list_tasks', { projectId: project.id, status: ['todo'] })).items.map((t: any) => t.title), steps.map((s) => `Add the ${s}`));

    for (const [index, task] of tasks.entries()) {
      const attempt = await callOk(client, 'start_attempt', { taskId: task.id, executor: 'fake-agent', options: { delayMs: 20 } });
      // Read the log as it grows, page after page, until the attempt has finished.
      const entries: any[] = [];
      let after = 0;
      for (;;) {
        const { state } = await callOk(client, 'get_attempt', { attemptId: attempt.id });
        const page = await callOk(client, 'read_attempt_log', { attemptId: attempt.id, after });
        entries.push(...page.items);
        if (page.items.length > 0) after = page.items.at(-1).seq;
        if (['succeeded', 'failed', 'cancelled'].includes(state) && page.nextAfter === null) {
          assert.equal(state, 'succeeded');
          break;
        }
        if (page.items.length === 0) await callOk(client, 'wait_for_attempt', { attemptId: attempt.id, timeoutSeconds: 1 });
      }
      assert.deepEqual(entries.map((e) => e.seq), [...entries.keys()].map((i) => entries[0].seq + i), 'every entry once, in order');
      assert.ok(entries.some((e) => e.kind === 'file_change' || e.kind === 'tool_call'), 'the agent’s work is in its log');

      const diff = await callOk(client, 'get_attempt_diff', { attemptId: attempt.id });
      assert.deepEqual(diff.files.map((f: any) => f.path), [`src/${steps[index]}.txt`]);
      const merged = await callOk(client, 'merge_attempt', { attemptId: attempt.id });
      assert.equal(git(repo, 'rev-parse', merged.baseBranch), merged.mergeCommit);
      assert.equal((await callOk(client, 'get_task', { taskId: task.id })).status, 'done');
    }
    assert.deepEqual(git(repo, 'ls-tree', '--name-only', 'HEAD', 'src/').split('\n').sort(), steps.map((s) => `src/${s}.txt`).sort());
    assert.deepEqual((await callOk(client, 'list_tasks', { projectId: project.id, status: ['done'] })).items.length, 3);
  });
});
