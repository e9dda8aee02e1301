import assert from 'node:assert/strict';
import { join } from 'node:path';
import Hapi from '@hapi/hapi';
import Joi from 'joi';
import { JsonText } from '../src/api/json-text.ts';
import { defineOperation, type Operation } from '../src/api/operations/operation.ts';
import { mountRest } from '../src/api/rest-mount.ts';
import { makeRepo } from './support/git-repo.ts';
import { callOk, connectHttp } from './support/mcp-clients.ts';
import { tempDir } from './support/temp-dir.ts';
import { startServerWithProject, type ServerWithProject, type TestServer } from './support/test-server.ts';

// The fields of a listed task, in the order toTask gives them, then the dependency counts.
const LISTED_FIELDS = ['id', 'projectId', 'title', 'description', 'status', 'priority', 'parentTaskId', 'autoStart', 'blockedReason', 'createdAt', 'updatedAt', 'dependencies'];
// Text JSON must escape or keep just so: quotes, backslashes, control characters, U+2028, astral characters.
const AWKWARD_TITLE = 'say "hi" \\ back/slash \u0001\u001f\t\n\r\u2028 é 😀';

async function listed(server: TestServer, query: string): Promise<{ status: number; body: any }> {
  return server.request('GET', `/tasks?${query}`);
}

/** The project's listing, each item beside the same task read alone (GET /tasks/{id}, which builds it in JavaScript). */
async function listingBesideTasks(server: TestServer, projectId: string): Promise<{ items: any[]; alone: any[] }> {
  const { status, body } = await listed(server, `projectId=${projectId}&limit=1000`);
  assert.equal(status, 200, JSON.stringify(body));
  const alone = [];
  for (const item of body.items) {
    const { body: task } = await server.request('GET', `/tasks/${item.id}`);
    delete task.subtasks; // only GET /tasks/{id} counts them
    alone.push(task);
  }
  return { items: body.items, alone };
}

async function assertListingMatches(server: TestServer, projectId: string): Promise<Map<string, any>> {
  const { items, alone } = await listingBesideTasks(server, projectId);
  assert.deepEqual(items, alone);
  for (const item of items) assert.deepEqual(Object.keys(item), LISTED_FIELDS);
  return new Map(items.map((item) => [item.id, item]));
}

describe('listing tasks, serialized by SQLite', () => {
  let fixture: ServerWithProject;

  before(async () => (fixture = await startServerWithProject()));
  after(() => fixture.close());

  it('lists every field as the task alone shows it, after every kind of write', async () => {
    const { server, projectId } = fixture;
    const create = async (body: Record<string, unknown>) => {
      const { status, body: task } = await server.request('POST', '/tasks', { projectId, ...body });
      assert.equal(status, 201, JSON.stringify(task));
      return task.id as string;
    };
    const awkward = await create({ title: AWKWARD_TITLE, description: 'line one\nline "two"', priority: -5 });
    const parent = await create({ title: 'parent' });
    const child = await create({ title: 'child', parentTaskId: parent });
    const dependency = await create({ title: 'dependency' });
    const waiting = await create({ title: 'waits, starts by itself', autoStart: true, dependsOn: [dependency] });
    const doomed = await create({ title: 'deleted later' });
    let tasks = await assertListingMatches(server, projectId);
    assert.equal(tasks.get(awkward).title, AWKWARD_TITLE);
    assert.equal(tasks.get(awkward).priority, -5);
    assert.equal(tasks.get(parent).description, null);
    assert.equal(tasks.get(child).parentTaskId, parent);
    assert.equal(tasks.get(waiting).autoStart, true);
    assert.deepEqual(tasks.get(waiting).dependencies, { total: 1, waitingOn: 1 });
    assert.deepEqual(tasks.get(dependency).dependencies, { total: 0, waitingOn: 0 });

    // An update of each field, and a status move the user makes.
    const patched = await server.request('PATCH', `/tasks/${awkward}`, { title: 'renamed', description: '', priority: 7, status: 'inreview' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    tasks = await assertListingMatches(server, projectId);
    assert.deepEqual(
      [tasks.get(awkward).title, tasks.get(awkward).description, tasks.get(awkward).priority, tasks.get(awkward).status],
      ['renamed', null, 7, 'inreview'],
    );
    assert.equal(tasks.get(awkward).updatedAt, patched.body.updatedAt);

    // A dependency cancelled: the chain records why the task waiting on it stopped.
    assert.equal((await server.request('PATCH', `/tasks/${dependency}`, { status: 'cancelled' })).status, 200);
    await server.waitFor(async () => (await listed(server, `projectId=${projectId}&limit=1000`)).body.items.find((t: any) => t.id === waiting).blockedReason);
    tasks = await assertListingMatches(server, projectId);
    assert.match(tasks.get(waiting).blockedReason, /cancelled/);
    assert.deepEqual(tasks.get(waiting).dependencies, { total: 1, waitingOn: 1 });

    // An edge added, and the dependency done: the counts are the dependent's, written on another task's row.
    assert.equal((await server.request('POST', `/tasks/${child}/dependencies`, { dependsOn: dependency })).status, 201);
    assert.equal((await server.request('PATCH', `/tasks/${dependency}`, { status: 'done' })).status, 200);
    // Now free, the autoStart task tries to start by itself and records why it cannot (the project names no executor).
    await server.waitFor(async () => /defaultExecutor/.test((await listed(server, `projectId=${projectId}&limit=1000`)).body.items.find((t: any) => t.id === waiting).blockedReason));
    tasks = await assertListingMatches(server, projectId);
    assert.deepEqual(tasks.get(child).dependencies, { total: 1, waitingOn: 0 });
    assert.deepEqual(tasks.get(waiting).dependencies, { total: 1, waitingOn: 0 });

    // Deleting a task; deleting a parent unlinks its child through the foreign key, with no write of the child's own.
    assert.equal((await server.request('DELETE', `/tasks/${doomed}`)).status, 204);
    assert.equal((await server.request('DELETE', `/tasks/${parent}`)).status, 204);
    tasks = await assertListingMatches(server, projectId);
    assert.equal(tasks.has(doomed), false);
    assert.equal(tasks.has(parent), false);
    assert.equal(tasks.get(child).parentTaskId, null);
  });

  it('lists the status moves an attempt makes: in progress while it runs, in review once it ended', async () => {
    const { server, projectId } = fixture;
    const { body: task } = await server.request('POST', '/tasks', { projectId, title: 'worked on' });
    // An agent that runs until it is stopped: the task is in progress for as long as the test needs.
    const started = await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent', options: { scenario: 'hang' } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const statusListed = async () => (await listed(server, `projectId=${projectId}&limit=1000`)).body.items.find((t: any) => t.id === task.id).status;
    assert.equal(await statusListed(), 'inprogress');
    assert.equal((await server.request('POST', `/attempts/${started.body.id}/stop`)).status, 200);
    const attempt = await server.waitForAttempt(started.body.id, 60_000);
    assert.equal(attempt.state, 'cancelled');
    assert.equal(await statusListed(), 'inreview');
    await assertListingMatches(server, projectId);
  });

  it('pages with cursors and filters by status, ending with no cursor on a page that is exactly full', async () => {
    const { server } = fixture;
    const repos = tempDir('forge-listing-');
    after(() => repos.cleanup());
    const project = await server.request('POST', '/projects', { name: 'paged', repoPath: makeRepo(join(repos.path, 'paged')) });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const projectId = project.body.id;
    assert.deepEqual((await listed(server, `projectId=${projectId}`)).body, { items: [], nextCursor: null });
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c', 'd']) ids.push((await server.request('POST', '/tasks', { projectId, title })).body.id);
    assert.equal((await server.request('PATCH', `/tasks/${ids[1]}`, { status: 'done' })).status, 200);

    const first = (await listed(server, `projectId=${projectId}&limit=2`)).body;
    assert.deepEqual(first.items.map((t: any) => t.id), ids.slice(0, 2));
    const second = (await listed(server, `projectId=${projectId}&limit=2&cursor=${first.nextCursor}`)).body;
    assert.deepEqual(second.items.map((t: any) => t.id), ids.slice(2));
    assert.equal(second.nextCursor, null);
    assert.equal((await listed(server, `projectId=${projectId}&limit=4`)).body.nextCursor, null);

    const todo = (await listed(server, `projectId=${projectId}&status=todo&limit=2`)).body;
    assert.deepEqual(todo.items.map((t: any) => t.id), [ids[0], ids[2]]);
    const rest = (await listed(server, `projectId=${projectId}&status=todo&limit=2&cursor=${todo.nextCursor}`)).body;
    assert.deepEqual(rest, { items: [(await server.request('GET', `/tasks/${ids[3]}`)).body].map(({ subtasks, ...t }) => t), nextCursor: null });
  });

  it('answers clients listing at once, each with its own page and every task created before it asked', async () => {
    const { server, projectId: otherProject } = fixture;
    const repos = tempDir('forge-listing-');
    after(() => repos.cleanup());
    const project = await server.request('POST', '/projects', { name: 'polled', repoPath: makeRepo(join(repos.path, 'polled')) });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const projectId = project.body.id;
    // Always in the project's page and never in its page of closed tasks, so the two always differ.
    assert.equal((await server.request('POST', '/tasks', { projectId, title: 'stays todo' })).status, 201);
    const listedItems = async (query: string) => {
      const { status, body } = await listed(server, query);
      assert.equal(status, 200, JSON.stringify(body));
      return body.items as Array<{ id: string; projectId: string; status: string }>;
    };
    let creating = true;
    // Clients polling other pages the whole time, as boards do: each gets its own page, which
    // may only grow, while identical requests at the same moment share a query (decision 0045).
    const pollers = Array.from({ length: 8 }, async (_, n) => {
      const query = n % 2 ? `projectId=${otherProject}&limit=1000` : `projectId=${projectId}&status=done&status=cancelled&limit=1000`;
      let seen = 0;
      let polls = 0;
      try {
        while (creating) {
          const items = await listedItems(query);
          if (n % 2) assert.ok(items.every((task) => task.projectId === otherProject), 'another project in the page');
          else assert.ok(items.every((task) => task.projectId === projectId && task.status === 'done'), 'a todo or another project in the done page');
          assert.ok(items.length >= seen, `a poller saw ${items.length} tasks after it had seen ${seen}`);
          seen = items.length;
          polls++;
        }
        return polls;
      } finally {
        creating = false;
      }
    });
    try {
      for (let created = 1; created <= 25 && creating; created++) {
        const { status, body: task } = await server.request('POST', '/tasks', { projectId, title: `polled ${created}` });
        assert.equal(status, 201, JSON.stringify(task));
        assert.equal((await server.request('PATCH', `/tasks/${task.id}`, { status: 'done' })).status, 200);
        for (const items of await Promise.all([1, 2, 3].map(() => listedItems(`projectId=${projectId}&limit=1000`)))) {
          assert.equal(items.length, created + 1);
          assert.deepEqual([items.at(-1)!.id, items.at(-1)!.status], [task.id, 'done']);
        }
      }
    } finally {
      creating = false;
    }
    // Every poller polled, and none saw a page that was not its own.
    for (const polls of await Promise.all(pollers)) assert.ok(polls > 0);
  });

  it('gives MCP list_tasks the same page as REST', async () => {
    const { server, projectId } = fixture;
    const rest = (await listed(server, `projectId=${projectId}&limit=1000`)).body;
    const client = await connectHttp(server.url, '2026-07-28');
    try {
      assert.deepEqual(await callOk(client, 'list_tasks', { projectId, limit: 1000 }), rest);
    } finally {
      await client.close();
    }
  });
});

describe('listing tasks with response validation off, as in production', () => {
  let fixture: ServerWithProject;

  before(async () => (fixture = await startServerWithProject({ env: { FORGE_VALIDATE_RESPONSES: '0' } })));
  after(() => fixture.close());

  it("sends SQLite's text: JSON.stringify's bytes of the same tasks, with the same content type as any answer", async () => {
    const { server, projectId } = fixture;
    for (const title of [AWKWARD_TITLE, 'plain']) assert.equal((await server.request('POST', '/tasks', { projectId, title })).status, 201);
    const response = await fetch(`${server.url}/api/v1/tasks?projectId=${projectId}`);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    const page = JSON.parse(text);
    assert.equal(page.items.length, 2);
    assert.equal(text, JSON.stringify(page));
    const alone = await Promise.all(page.items.map(async ({ id }: { id: string }) => (await server.request('GET', `/tasks/${id}`)).body));
    assert.deepEqual(page.items, alone.map(({ subtasks, ...task }) => task));
  });

  it('stores a lone surrogate as U+FFFD, so the listing is UTF-8 and shows what the task alone shows', async () => {
    const { server, projectId } = fixture;
    // Written as JSON escapes: "\ud800" alone is valid JSON, and no UTF-8.
    const body = `{"projectId":"${projectId}","title":"lone:a\\ud800b","description":"c\\udc00d"}`;
    const created = await server.request('POST', '/tasks', body, { 'content-type': 'application/json' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.title, 'lone:a\uFFFDb');
    assert.equal(created.body.description, 'c\uFFFDd');
    const bytes = new Uint8Array(await (await fetch(`${server.url}/api/v1/tasks?projectId=${projectId}`)).arrayBuffer());
    const page = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    const listed = page.items.find((task: { id: string }) => task.id === created.body.id);
    const { subtasks, ...alone } = (await server.request('GET', `/tasks/${created.body.id}`)).body;
    assert.deepEqual(listed, alone);
  });
});

describe('answers already serialized, checked against their schema', () => {
  // An operation whose serialization drifted from its contract: a number where the schema says a string.
  const drifted = defineOperation({
    kind: 'call',
    name: 'getDrifted',
    summary: 'An answer that drifted from its schema',
    tags: [],
    mcp: { notATool: 'a test operation' },
    http: { method: 'GET', path: '/drifted', status: 200 },
    input: {},
    output: Joi.object({ items: Joi.array().items(Joi.object({ id: Joi.string().required() })).required() }),
    errors: [],
    handler: async () => new JsonText(Buffer.from('{"items":[{"id":42}]}')),
  });

  async function serverValidating(validateResponses: boolean): Promise<Hapi.Server> {
    const server = Hapi.server({ routes: { response: { sample: validateResponses ? 100 : 0 } } });
    server.app = { config: { validateResponses } };
    mountRest(server, [drifted as Operation], '/api/v1');
    await server.initialize();
    return server;
  }

  it('fails the answer while responses are validated (the test servers), and sends it as it is otherwise', async () => {
    const validating = await serverValidating(true);
    const production = await serverValidating(false);
    try {
      assert.equal((await validating.inject('/api/v1/drifted')).statusCode, 500);
      const sent = await production.inject('/api/v1/drifted');
      assert.equal(sent.statusCode, 200);
      assert.equal(sent.payload, '{"items":[{"id":42}]}');
    } finally {
      await validating.stop();
      await production.stop();
    }
  });
});
