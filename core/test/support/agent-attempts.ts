import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { git } from './git-repo.ts';
import type { ServerWithProject } from './test-server.ts';

/** What the fake agent CLIs appended to FAKE_AGENT_RECORD, one object a run, leaving out their `--version` calls. */
export function fakeCliRecords(recordFile: string): any[] {
  return readFileSync(recordFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((record) => !record.argv.includes('--version'));
}

/**
 * What the end-to-end tests of real agents do through the API, on the server of the test that
 * `current` gives: start an attempt on a new task, wait for its pending approval, list the files
 * on its branch, read its log.
 */
export function agentAttempts(current: () => ServerWithProject | undefined) {
  const setup = () => {
    const value = current();
    assert.ok(value, 'no server is running');
    return value;
  };
  return {
    async startAttempt(start: Record<string, unknown>, title: string): Promise<string> {
      const { server, projectId } = setup();
      const task = (await server.request('POST', '/tasks', { projectId, title })).body;
      const started = await server.request('POST', `/tasks/${task.id}/attempts`, start);
      assert.equal(started.status, 202, JSON.stringify(started.body));
      return started.body.id as string;
    },
    pendingApproval(attemptId: string): Promise<any> {
      const { server } = setup();
      return server.waitFor(async () => (await server.request('GET', `/approvals?state=pending&attemptId=${attemptId}`)).body.items[0]);
    },
    async branchFiles(attemptId: string): Promise<string[]> {
      const { server, repo } = setup();
      const attempt = (await server.request('GET', `/attempts/${attemptId}`)).body;
      return git(repo, 'ls-tree', '--name-only', attempt.branch).split('\n');
    },
    async logOf(attemptId: string): Promise<any[]> {
      return (await setup().server.request('GET', `/attempts/${attemptId}/logs?limit=1000`)).body.items;
    },
  };
}
