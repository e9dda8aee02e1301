import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { jsonSchemaOf } from '../../src/api/json-schema.ts';
import { operations } from '../../src/api/operations/catalogue.ts';
import { flatInputOf } from '../../src/mcp/flat-input.ts';
import { git, makeRepo } from '../support/git-repo.ts';
import { callError, callOk, connectHttp, ERAS } from '../support/mcp-clients.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject } from '../support/test-server.ts';

const APPROVAL_PACK = fileURLToPath(new URL('../fixtures/packs/asks-approval', import.meta.url));
const toolOperations = operations.filter((operation) => 'tool' in operation.mcp);
const toolName = (operation: (typeof operations)[number]) => (operation.mcp as { tool: string }).tool;

describe('MCP over Streamable HTTP at /mcp', function () {
  this.timeout(120_000);
  let setup: ServerWithProject;
  let repos: ReturnType<typeof tempDir>;

  before(async () => {
    setup = await startServerWithProject({ env: { FORGE_PLUGIN_PATHS: APPROVAL_PACK } });
    repos = tempDir('forge-mcp-origin-');
    // A bare origin, so push_attempt has somewhere to push.
    git(repos.path, 'init', '--bare', '--quiet', 'origin.git');
    git(setup.repo, 'remote', 'add', 'origin', join(repos.path, 'origin.git'));
    git(setup.repo, 'push', '--quiet', 'origin', 'HEAD');
  });
  after(async () => {
    await setup?.close();
    repos?.cleanup();
  });

  describe('the tools are the operation catalogue', () => {
    it('every operation says whether it is a tool, and each tool has a unique snake_case name and a description for a model', () => {
      for (const operation of operations) {
        const mcp = operation.mcp as { tool?: string; description?: string; notATool?: string };
        assert.ok(mcp.tool !== undefined || (mcp.notATool ?? '').length > 10, `${operation.name} neither is a tool nor says why not`);
        if (mcp.tool === undefined) continue;
        assert.match(mcp.tool, /^[a-z]+(_[a-z]+)*$/, operation.name);
        assert.ok((mcp.description ?? '').length >= 60, `${mcp.tool}: its description is too short to tell a model when to use it`);
      }
      const names = toolOperations.map(toolName);
      assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
    });

    for (const era of ERAS) {
      it(`lists exactly the catalogue's tools, with the operations' own input and output schemas (${era})`, async () => {
        const client = await connectHttp(setup.server.url, era);
        try {
          const { tools } = await client.listTools();
          assert.deepEqual(
            tools.map((tool) => tool.name),
            toolOperations.map(toolName),
            'a catalogue operation meant for MCP has no tool, or a tool has no operation',
          );
          for (const operation of toolOperations) {
            const tool = tools.find((t) => t.name === toolName(operation))!;
            const { not: _not, minProperties: _min, ...input } = jsonSchemaOf(flatInputOf(operation), 'json');
            assert.deepEqual(tool.inputSchema, { ...input, type: 'object' }, `${tool.name}: its input schema is not the operation's`);
            if (operation.kind === 'call' && operation.output) {
              assert.deepEqual(tool.outputSchema, jsonSchemaOf(operation.output, 'json'), `${tool.name}: its output schema is not the operation's`);
            } else assert.equal(tool.outputSchema, undefined, `${tool.name} answers nothing but declares an output schema`);
            assert.equal(tool.annotations?.readOnlyHint, operation.http.method === 'GET', `${tool.name}: readOnlyHint`);
            assert.deepEqual(lostKeyPatterns(tool.outputSchema), [], `${tool.name}: a map of keys lost in the JSON Schema (every answer would fail the client's check)`);
          }
        } finally {
          await client.close();
        }
      });
    }
  });

  for (const era of ERAS) {
    describe(`calling every tool (${era})`, () => {
      let client: Client;
      const called = new Set<string>();
      const call = (name: string, args: Record<string, unknown> = {}) => {
        called.add(name);
        return callOk(client, name, args);
      };
      const fail = (name: string, args: Record<string, unknown> = {}) => {
        called.add(name);
        return callError(client, name, args);
      };

      before(async () => {
        client = await connectHttp(setup.server.url, era);
        // With the tools listed, the client checks every answer against its tool's output schema.
        await client.listTools();
      });
      after(async () => client?.close());

      it('drives a task from creation to a merged, pushed attempt', async () => {
        const { projectId, repo } = setup;
        const executors = await call('list_executors');
        assert.ok(executors.items.some((e: any) => e.id === 'fake-agent' && e.available), 'the fake agent can run');
        assert.ok(Array.isArray((await call('list_executor_profiles')).items));
        assert.ok((await call('list_projects')).items.some((p: any) => p.id === projectId));
        assert.equal((await call('get_project', { projectId })).id, projectId);
        const other = makeRepo(join(repos.path, `other-${era}`));
        assert.equal((await call('create_project', { name: `other ${era}`, repoPath: other })).repoPath, other);

        const parent = await call('create_task', { projectId, title: `parent ${era}` });
        const task = await call('create_task', { projectId, title: `add a file ${era}`, parentTaskId: parent.id });
        assert.equal(task.status, 'todo');
        assert.equal((await call('get_task', { taskId: task.id })).parentTaskId, parent.id);
        const description = `write out-${era}.md by the ${era} client`;
        assert.equal((await call('update_task', { taskId: task.id, description })).description, description);
        const todo = await call('list_tasks', { projectId, status: ['todo'] });
        assert.ok(todo.items.some((t: any) => t.id === task.id));

        const started = await client.callTool({ name: 'start_attempt', arguments: { taskId: task.id, executor: 'fake-agent' } });
        called.add('start_attempt');
        const attempt = started.structuredContent as any;
        const links = (started.content as any[]).filter((c) => c.type === 'resource_link').map((c) => c.uri);
        assert.ok(links.includes(`forge://attempts/${attempt.id}/log`), `start_attempt links to the attempt's log: ${links.join(', ')}`);

        const waited = await call('wait_for_attempt', { attemptId: attempt.id, timeoutSeconds: 60 });
        assert.equal(waited.outcome, 'finished');
        assert.equal(waited.attempt.state, 'succeeded');
        assert.deepEqual((await call('list_attempts', { taskId: task.id })).items.map((a: any) => a.id), [attempt.id]);
        assert.equal((await call('get_attempt', { attemptId: attempt.id })).state, 'succeeded');

        const whole = await call('read_attempt_log', { attemptId: attempt.id, limit: 1000 });
        const tail = await call('read_attempt_log', { attemptId: attempt.id, tail: true, limit: 2 });
        assert.deepEqual(tail.items, whole.items.slice(-2), 'the tail is the last entries, oldest first');
        assert.equal(tail.nextAfter, null);

        const summary = await call('get_attempt_diff', { attemptId: attempt.id, includePatch: false });
        assert.deepEqual(summary.files.map((f: any) => f.path), [`out-${era}.md`]);
        assert.equal(summary.patch, '');
        assert.ok((await call('rebase_attempt', { attemptId: attempt.id })).headCommit);
        const pushed = await call('push_attempt', { attemptId: attempt.id });
        assert.equal(pushed.pushed, 'attempt');
        assert.equal((await fail('get_pull_request', { attemptId: attempt.id })).code, 'FORGE_NOT_FOUND');
        const noHost = await fail('open_pull_request', { attemptId: attempt.id });
        assert.equal(noHost.code, 'FORGE_PROVIDER_NOT_CONFIGURED', 'a bare origin on disk is no code host');
        assert.match(noHost.message, /remote/);
        const merged = await call('merge_attempt', { attemptId: attempt.id });
        assert.equal(git(repo, 'rev-parse', merged.baseBranch), merged.mergeCommit);
        assert.equal((await call('push_attempt', { attemptId: attempt.id, branch: 'base' })).commit, merged.mergeCommit);
        const again = await fail('follow_up', { attemptId: attempt.id, prompt: 'more' });
        assert.equal(again.code, 'FORGE_ALREADY_MERGED');
        assert.equal((await call('get_task', { taskId: task.id })).status, 'done');
      });

      it('makes a task wait on another, lists both ends, refuses a cycle, and removes the edge', async () => {
        const { projectId } = setup;
        const first = await call('create_task', { projectId, title: `first ${era}` });
        const second = await call('create_task', { projectId, title: `second ${era}` });
        const added = await call('add_task_dependency', { taskId: second.id, dependsOn: first.id });
        assert.deepEqual([added.dependsOn.map((t: any) => t.id), added.waitingOn], [[first.id], 1]);
        assert.deepEqual((await call('list_task_dependencies', { taskId: first.id })).dependents.map((t: any) => t.id), [second.id]);
        assert.equal((await fail('add_task_dependency', { taskId: first.id, dependsOn: second.id })).code, 'FORGE_DEPENDENCY_CYCLE');
        assert.equal((await client.callTool({ name: 'remove_task_dependency', arguments: { taskId: second.id, dependsOnTaskId: first.id } })).isError, undefined);
        called.add('remove_task_dependency');
        assert.deepEqual((await call('list_task_dependencies', { taskId: second.id })).dependsOn, []);
      });

      it('waits on an approval, lists it, answers it, and stops an attempt that hangs', async () => {
        const { projectId } = setup;
        const task = await call('create_task', { projectId, title: `asks first ${era}` });
        const attempt = await call('start_attempt', { taskId: task.id, executor: 'asks-approval' });
        const waited = await call('wait_for_attempt', { attemptId: attempt.id, timeoutSeconds: 60 });
        assert.equal(waited.outcome, 'approval');
        const [approval] = waited.pendingApprovals;
        assert.equal(approval.tool, 'Write');
        assert.ok((await call('list_approvals', { state: 'pending', attemptId: attempt.id })).items.some((a: any) => a.id === approval.id));
        assert.equal((await call('get_approval', { approvalId: approval.id })).state, 'pending');
        assert.equal((await call('answer_approval', { approvalId: approval.id, decision: 'approve' })).state, 'approved');
        assert.equal((await call('wait_for_attempt', { attemptId: attempt.id, timeoutSeconds: 60 })).attempt.state, 'succeeded');

        const hanging = await call('create_task', { projectId, title: `hangs ${era}` });
        const stuck = await call('start_attempt', { taskId: hanging.id, executor: 'fake-agent', options: { scenario: 'hang' } });
        await setup.server.waitFor(async () => (await setup.server.request('GET', `/attempts/${stuck.id}`)).body.state === 'running');
        await call('stop_attempt', { attemptId: stuck.id });
        assert.equal((await call('wait_for_attempt', { attemptId: stuck.id, timeoutSeconds: 60 })).attempt.state, 'cancelled');
        const timedOut = await call('wait_for_attempt', { attemptId: stuck.id, timeoutSeconds: 0 });
        assert.equal(timedOut.outcome, 'finished', 'a finished attempt answers at once');
        assert.equal((await client.callTool({ name: 'delete_task', arguments: { taskId: hanging.id } })).isError, undefined);
        called.add('delete_task');
        assert.equal((await fail('get_task', { taskId: hanging.id })).code, 'FORGE_NOT_FOUND');
      });

      it('has called every tool', () => {
        assert.deepEqual(toolOperations.map(toolName).filter((name) => !called.has(name)), []);
      });

      it('rejects bad arguments with the REST API’s code and a message that names every field to fix', async () => {
        const error = await callError(client, 'create_task', { projectId: 'nope', priority: 'high', bogus: 1 });
        assert.equal(error.code, 'FORGE_VALIDATION_FAILED');
        for (const field of ['title', 'projectId', 'priority', 'bogus']) assert.match(error.message, new RegExp(`"${field}"`), error.message);
        assert.deepEqual(error.details.problems.map((p: any) => p.path).sort(), ['bogus', 'priority', 'projectId', 'title']);

        const task = await callOk(client, 'create_task', { projectId: setup.projectId, title: `unchanged ${era}` });
        const nothing = await callError(client, 'update_task', { taskId: task.id });
        assert.equal(nothing.code, 'FORGE_VALIDATION_FAILED', 'a change with no field is refused, as PATCH with {} is');
        assert.match(nothing.message, /at least 1 key/);

        const missing = '01900000-0000-7000-8000-000000000000';
        const rest = await setup.server.request('GET', `/tasks/${missing}`);
        const viaMcp = await callError(client, 'get_task', { taskId: missing });
        assert.deepEqual(viaMcp, rest.body.error, 'a failure carries the same error body as REST');

        await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /Unknown tool: no_such_tool/);
      });
    });
  }
});

/** Where an object schema allows no property at all: a joi pattern of keys the conversion dropped. */
function lostKeyPatterns(schema: unknown, at = '$'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const here =
    node.additionalProperties === false && Object.keys((node.properties as object | undefined) ?? {}).length === 0 && node.patternProperties === undefined ? [at] : [];
  return [...here, ...Object.entries(node).flatMap(([key, value]) => lostKeyPatterns(value, `${at}.${key}`))];
}
