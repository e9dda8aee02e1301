import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import type { ForgeEvent } from '../src/events/event-log.ts';
import { createForge } from '../src/forge.ts';
import { startServer } from '../src/start-server.ts';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { silentLogger, startServerWithProject, type ServerWithProject, type TestServer } from './support/test-server.ts';

/**
 * Issue 13, part 1 (spec/decisions/0032): tasks wait on other tasks, in any project; a cycle is
 * refused naming it; a blocked start is refused naming what it waits on; autoStart tasks start
 * as their last dependency is done and, in a project that merges by itself, run a whole chain with
 * no person; a failed dependency stops its chain with a reason that clears when it recovers.
 */
describe('task dependencies', function () {
  // Chains of real agent runs, worktrees and merges, one after another, on a shared 2-core machine.
  this.timeout(180_000);

  describe('with the feature on', () => {
    let setup: ServerWithProject;
    let server: TestServer;
    let repos: ReturnType<typeof tempDir>;
    let otherRepo: string;
    let otherProjectId: string;

    before(async () => {
      setup = await startServerWithProject();
      server = setup.server;
      const configured = await server.request('PATCH', `/projects/${setup.projectId}`, { defaultExecutor: 'fake-agent', autoMerge: true });
      assert.equal(configured.status, 200, JSON.stringify(configured.body));
      assert.deepEqual([configured.body.defaultExecutor, configured.body.defaultProfile, configured.body.autoMerge], ['fake-agent', null, true]);
      repos = tempDir('forge-deps-repos-');
      otherRepo = makeRepo(join(repos.path, 'other'));
      const other = await server.request('POST', '/projects', { name: 'other', repoPath: otherRepo });
      assert.equal(other.status, 201, JSON.stringify(other.body));
      otherProjectId = other.body.id;
    });

    after(async () => {
      await setup?.close();
      repos?.cleanup();
    });

    async function task(title: string, extra: Record<string, unknown> = {}): Promise<any> {
      const created = await server.request('POST', '/tasks', { projectId: setup.projectId, title, ...extra });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body;
    }

    async function dependOn(taskId: string, dependsOn: string): Promise<{ status: number; body: any }> {
      return server.request('POST', `/tasks/${taskId}/dependencies`, { dependsOn });
    }

    const getTask = async (id: string) => (await server.request('GET', `/tasks/${id}`)).body;
    const attemptsOf = async (taskId: string) => (await server.request('GET', `/tasks/${taskId}/attempts`)).body.items as any[];
    const waitForStatus = (id: string, status: string) => server.waitFor(async () => ((await getTask(id)).status === status ? true : undefined), 90_000);

    async function eventLog(): Promise<ForgeEvent[]> {
      const read = await server.forge.events.readAfter('0', 1_000_000);
      assert.ok(Array.isArray(read), 'the whole log is still kept');
      return read;
    }

    it('adds, lists and removes edges, across projects too; the same edge twice is one edge; unknown tasks are 404', async () => {
      const other = await server.request('POST', '/tasks', { projectId: otherProjectId, title: 'schema in the other project' });
      const api = await task('api');
      const added = await dependOn(api.id, other.body.id);
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.deepEqual(
        added.body.dependsOn.map((t: any) => [t.id, t.projectId, t.status]),
        [[other.body.id, otherProjectId, 'todo']],
        'a task of another project is a dependency like any',
      );
      assert.equal(added.body.waitingOn, 1);
      assert.equal((await dependOn(api.id, other.body.id.toUpperCase())).status, 201, 'an id in capitals is the same id');
      const again = await dependOn(api.id, other.body.id);
      assert.equal(again.status, 201);
      assert.equal(again.body.dependsOn.length, 1, 'adding it again changes nothing');
      assert.equal((await eventLog()).filter((e) => e.type === 'task.dependency_added' && e.subject === api.id).length, 1, 'one edge, one event');

      const reverse = await server.request('GET', `/tasks/${other.body.id}/dependencies`);
      assert.deepEqual(reverse.body.dependents.map((t: any) => t.id), [api.id]);
      assert.deepEqual((await getTask(api.id)).dependencies, { total: 1, waitingOn: 1 });
      const listed = (await server.request('GET', `/tasks?projectId=${setup.projectId}&limit=1000`)).body.items.find((t: any) => t.id === api.id);
      assert.deepEqual(listed.dependencies, { total: 1, waitingOn: 1 }, 'the list shows the counts too');

      const unknown = '01900000-0000-7000-8000-000000000000';
      const missing = await dependOn(api.id, unknown);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'FORGE_NOT_FOUND');
      assert.match(missing.body.error.message, new RegExp(unknown));
      assert.equal((await dependOn(unknown, api.id)).status, 404);
      const atCreation = await server.request('POST', '/tasks', { projectId: setup.projectId, title: 'x', dependsOn: [api.id, unknown] });
      assert.equal(atCreation.status, 422, JSON.stringify(atCreation.body));
      assert.match(atCreation.body.error.message, new RegExp(unknown));

      assert.equal((await server.request('DELETE', `/tasks/${api.id}/dependencies/${other.body.id}`)).status, 204);
      assert.deepEqual((await server.request('GET', `/tasks/${api.id}/dependencies`)).body.dependsOn, []);
      const gone = await server.request('DELETE', `/tasks/${api.id}/dependencies/${other.body.id}`);
      assert.equal(gone.status, 404, 'no such edge any more');
      assert.match(gone.body.error.message, /does not wait on/);
    });

    it('refuses an edge that would close a cycle, naming the cycle, and a task waiting on itself', async () => {
      const a = await task('cycle A');
      const b = await task('cycle B', { dependsOn: [a.id] });
      const c = await task('cycle C', { dependsOn: [b.id] });
      const refused = await dependOn(a.id, c.id);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_DEPENDENCY_CYCLE');
      assert.deepEqual(
        refused.body.error.details.cycle.map((t: any) => t.title),
        ['cycle A', 'cycle C', 'cycle B', 'cycle A'],
        'A would wait on C, which waits on B, which waits on A',
      );
      assert.ok(
        refused.body.error.message.includes(`${a.id} (cycle A) → ${c.id} (cycle C) → ${b.id} (cycle B) → ${a.id} (cycle A)`),
        refused.body.error.message,
      );
      assert.deepEqual((await server.request('GET', `/tasks/${a.id}/dependencies`)).body.dependsOn, [], 'nothing was written');

      const self = await dependOn(a.id, a.id);
      assert.equal(self.status, 409);
      assert.deepEqual(self.body.error.details.cycle.map((t: any) => t.id), [a.id, a.id]);
    });

    it('refuses to start a blocked task, naming what it waits on and how autoStart helps', async () => {
      const schema = await task('write the schema');
      const api = await task('serve the api', { dependsOn: [schema.id] });
      const refused = await server.request('POST', `/tasks/${api.id}/attempts`, { executor: 'fake-agent' });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'FORGE_TASK_BLOCKED');
      assert.deepEqual(refused.body.error.details.waitingOn, [{ id: schema.id, title: 'write the schema', status: 'todo' }]);
      assert.ok(refused.body.error.message.includes(`${schema.id} (write the schema, todo)`), refused.body.error.message);
      assert.match(refused.body.error.message, /"autoStart": true/);
      assert.deepEqual(await attemptsOf(api.id), []);
    });

    it('runs a diamond of autoStart tasks in an order its edges allow, merging each into the base', async () => {
      // A → {B, C} → D: B and C wait on A, D on both. A starts last, once the whole graph stands.
      const a = await task('A', { description: 'write a.txt from A' });
      const b = await task('B', { description: 'write b.txt from B', autoStart: true, dependsOn: [a.id] });
      const c = await task('C', { description: 'write c.txt from C', autoStart: true, dependsOn: [a.id] });
      const d = await task('D', { description: 'write d.txt from D', autoStart: true, dependsOn: [b.id, c.id] });
      assert.equal((await server.request('PATCH', `/tasks/${a.id}`, { autoStart: true })).status, 200);
      for (const { id } of [a, b, c, d]) await waitForStatus(id, 'done');

      const waitsOn: Record<string, string[]> = { [a.id]: [], [b.id]: [a.id], [c.id]: [a.id], [d.id]: [b.id, c.id] };
      const log = await eventLog();
      const doneAt = (taskId: string) => Number(log.find((e) => e.type === 'task.updated' && e.subject === taskId && (e.data as any).status === 'done')!.id);
      for (const [taskId, dependencies] of Object.entries(waitsOn)) {
        const attempts = await attemptsOf(taskId);
        assert.equal(attempts.length, 1, 'each task started once');
        assert.equal(attempts[0].state, 'succeeded');
        assert.ok(attempts[0].mergeCommit, 'and was merged');
        const claimedAt = Number(log.find((e) => e.type === 'attempt.updated' && e.subject === attempts[0].id && (e.data as any).state === 'preparing')!.id);
        for (const dependency of dependencies) assert.ok(doneAt(dependency) < claimedAt, `${taskId} was claimed (event ${claimedAt}) before ${dependency} was done (event ${doneAt(dependency)})`);
      }
      assert.deepEqual(git(setup.repo, 'ls-tree', '--name-only', 'main').split('\n').filter((f) => f.endsWith('.txt')).sort(), ['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    });

    it('frees an autoStart task when its last unfinished dependency is removed or deleted', async () => {
      const first = await task('first blocker');
      const second = await task('second blocker');
      const waiting = await task('freed', { description: 'write freed.txt yes', autoStart: true, dependsOn: [first.id, second.id] });
      assert.equal((await server.request('DELETE', `/tasks/${waiting.id}/dependencies/${first.id}`)).status, 204);
      assert.equal((await server.request('DELETE', `/tasks/${second.id}`)).status, 204);
      await waitForStatus(waiting.id, 'done');
      assert.deepEqual((await getTask(waiting.id)).dependencies, { total: 0, waitingOn: 0 });
    });

    it('stops the chain below a failed dependency with a reason on each waiting task, and clears it once the dependency is done', async () => {
      // The other project starts its tasks with a profile whose agent fails.
      const profile = await server.request('PUT', '/executor-profiles/failing-agent', { executor: 'fake-agent', options: { scenario: 'fail' } });
      assert.ok([200, 201].includes(profile.status), JSON.stringify(profile.body));
      const configured = await server.request('PATCH', `/projects/${otherProjectId}`, { defaultProfile: 'failing-agent', autoMerge: true });
      assert.equal(configured.status, 200, JSON.stringify(configured.body));

      const failing = await server.request('POST', '/tasks', { projectId: otherProjectId, title: 'migrate', description: 'write migrate.sql done', autoStart: true });
      const direct = await task('direct', { description: 'write direct.txt yes', autoStart: true, dependsOn: [failing.body.id] });
      const transitive = await task('transitive', { description: 'write transitive.txt yes', autoStart: true, dependsOn: [direct.id] });

      const [failed] = await server.waitFor(async () => {
        const attempts = await attemptsOf(failing.body.id);
        return attempts.length === 1 && attempts[0].state === 'failed' ? attempts : undefined;
      }, 90_000);
      const code = failed.error.code;
      const reasons = await server.waitFor(async () => {
        const shown = [(await getTask(direct.id)).blockedReason, (await getTask(transitive.id)).blockedReason];
        return shown.every(Boolean) ? shown : undefined;
      });
      assert.equal(reasons[0], `dependency ${failing.body.id} (migrate) failed: attempt ${failed.id} failed: ${code}`);
      assert.equal(reasons[1], `upstream dependency ${failing.body.id} (migrate) failed: attempt ${failed.id} failed: ${code}`);
      assert.equal((await server.request('GET', `/tasks/${transitive.id}/dependencies`)).body.blockedReason, reasons[1]);
      assert.deepEqual([...(await attemptsOf(direct.id)), ...(await attemptsOf(transitive.id))], [], 'neither was started');
      const stopped = (await eventLog()).filter((e) => e.type === 'task.updated' && e.subject === direct.id && (e.data as any).blockedReason === reasons[0]);
      assert.equal(stopped.length, 1, 'the reason came with one task.updated event');

      // A person tries again with an agent that succeeds: the project merges it, which closes the task.
      const retried = await server.request('POST', `/tasks/${failing.body.id}/attempts`, { executor: 'fake-agent', options: { scenario: 'success' } });
      assert.equal(retried.status, 202, JSON.stringify(retried.body));
      await waitForStatus(failing.body.id, 'done');
      await waitForStatus(transitive.id, 'done');
      for (const { id } of [direct, transitive]) assert.equal((await getTask(id)).blockedReason, null);
      assert.equal(git(otherRepo, 'show', 'main:migrate.sql'), 'done');
      assert.equal(git(setup.repo, 'show', 'main:transitive.txt'), 'yes');
    });

    it('stops the chain below a cancelled dependency, and frees it when the dependency is reopened', async () => {
      const dropped = await task('dropped');
      const waiting = await task('waits on the dropped one', { dependsOn: [dropped.id] });
      assert.equal((await server.request('PATCH', `/tasks/${dropped.id}`, { status: 'cancelled' })).status, 200);
      const reason = await server.waitFor(async () => (await getTask(waiting.id)).blockedReason);
      assert.equal(reason, `dependency ${dropped.id} (dropped) was cancelled`);
      assert.equal((await server.request('PATCH', `/tasks/${dropped.id}`, { status: 'todo' })).status, 200);
      await server.waitFor(async () => ((await getTask(waiting.id)).blockedReason === null ? true : undefined));
    });

    it('closes an autoStart task whose agent changed nothing, and stops the chain where an automatic merge conflicts', async () => {
      // The README already says this: the agent's write changes nothing, so there is nothing to merge.
      const unchanged = await task('nothing to do', { description: 'write README.md # demo', autoStart: true });
      await waitForStatus(unchanged.id, 'done');
      assert.equal((await attemptsOf(unchanged.id))[0].mergeCommit, null);

      // Both write the same new file from the same base (they are queued together, when the gate is
      // done, so both worktrees start from it): whichever merges second conflicts.
      const gate = await task('gate');
      const one = await task('one', { description: 'write same.txt one', autoStart: true, dependsOn: [gate.id] });
      const two = await task('two', { description: 'write same.txt two', autoStart: true, dependsOn: [gate.id] });
      const after = await task('after both', { description: 'write after.txt yes', autoStart: true, dependsOn: [one.id, two.id] });
      assert.equal((await server.request('PATCH', `/tasks/${gate.id}`, { status: 'done' })).status, 200);
      const [merged, conflicted] = await server.waitFor(async () => {
        const shown = await Promise.all([getTask(one.id), getTask(two.id)]);
        const done = shown.find((t) => t.status === 'done');
        const stopped = shown.find((t) => t.blockedReason);
        return done && stopped ? [done, stopped] : undefined;
      }, 90_000);
      const [attempt] = await attemptsOf(conflicted.id);
      assert.equal(attempt.state, 'succeeded');
      assert.ok(conflicted.blockedReason.startsWith(`merging attempt ${attempt.id} into main failed: FORGE_MERGE_CONFLICT: `), conflicted.blockedReason);
      assert.equal(git(setup.repo, 'show', 'main:same.txt'), merged.title);
      const reason = await server.waitFor(async () => (await getTask(after.id)).blockedReason);
      assert.ok(reason.startsWith(`dependency ${conflicted.id} (${conflicted.title}) is stopped: merging attempt ${attempt.id}`), reason);
      assert.deepEqual(await attemptsOf(after.id), []);
    });

    it('says why an autoStart task of a project with no default executor was not started', async () => {
      const none = makeRepo(join(repos.path, 'no-default'));
      const project = await server.request('POST', '/projects', { name: 'no default', repoPath: none });
      const waiting = await server.request('POST', '/tasks', { projectId: project.body.id, title: 'waits for a default', autoStart: true });
      const reason = await server.waitFor(async () => (await getTask(waiting.body.id)).blockedReason);
      assert.match(reason, /has no defaultExecutor or defaultProfile; set one, or start it by hand/);
      const both = await server.request('PATCH', `/projects/${project.body.id}`, { defaultExecutor: 'fake-agent', defaultProfile: 'failing-agent' });
      assert.equal(both.status, 400, 'one or the other');
      const unknown = await server.request('PATCH', `/projects/${project.body.id}`, { defaultExecutor: 'no-such-agent' });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.error.code, 'FORGE_EXECUTOR_NOT_FOUND');
      // Setting one lets the task start.
      assert.equal((await server.request('PATCH', `/projects/${project.body.id}`, { defaultExecutor: 'fake-agent' })).status, 200);
      await server.waitFor(async () => ((await attemptsOf(waiting.body.id)).length === 1 ? true : undefined));
      await server.waitFor(async () => ((await getTask(waiting.body.id)).blockedReason === null ? true : undefined));
    });

    it('starts an autoStart task held by a missing default profile once the profile is written again', async () => {
      const repo = makeRepo(join(repos.path, 'profile-gone'));
      const project = (await server.request('POST', '/projects', { name: 'profile gone', repoPath: repo })).body;
      assert.equal((await server.request('PUT', '/executor-profiles/comes-back', { executor: 'fake-agent', options: {} })).status < 300, true);
      assert.equal((await server.request('PATCH', `/projects/${project.id}`, { defaultProfile: 'comes-back' })).status, 200);
      assert.equal((await server.request('DELETE', '/executor-profiles/comes-back')).status, 204);
      const waiting = (await server.request('POST', '/tasks', { projectId: project.id, title: 'waits for its profile', autoStart: true })).body;
      assert.match(await server.waitFor(async () => (await getTask(waiting.id)).blockedReason), /profile "comes-back"/);
      assert.equal((await server.request('PUT', '/executor-profiles/comes-back', { executor: 'fake-agent', options: {} })).status < 300, true);
      await server.waitFor(async () => ((await attemptsOf(waiting.id)).length === 1 ? true : undefined));
      await server.waitFor(async () => ((await getTask(waiting.id)).blockedReason === null ? true : undefined));
    });

    it("logs the removal of edges across a deleted project's border, as deleting the task does", async () => {
      const repo = makeRepo(join(repos.path, 'goes-away'));
      const doomed = (await server.request('POST', '/projects', { name: 'goes away', repoPath: repo })).body;
      const inside = (await server.request('POST', '/tasks', { projectId: doomed.id, title: 'inside' })).body;
      const outside = await task('outside, waiting on it');
      const awaited = await task('outside, awaited by it');
      assert.equal((await dependOn(outside.id, inside.id)).status, 201);
      assert.equal((await dependOn(inside.id, awaited.id)).status, 201);
      const before = server.forge.events.latestId;
      assert.equal((await server.request('DELETE', `/projects/${doomed.id}`)).status, 204);
      const after = await server.forge.events.readAfter(before, 1000);
      assert.ok(Array.isArray(after));
      const removed = after.filter((e) => e.type === 'task.dependency_removed').map((e) => e.data);
      assert.deepEqual(removed, [
        { taskId: inside.id, dependsOnTaskId: awaited.id },
        { taskId: outside.id, dependsOnTaskId: inside.id },
      ].sort((a, b) => a.taskId.localeCompare(b.taskId)));
      assert.equal((await server.request('GET', `/tasks/${outside.id}/dependencies`)).body.dependsOn.length, 0);
    });
  });

  it('starts, after a restart, an autoStart task whose last dependency was done just before a crash', async () => {
    const home = tempDir('forge-deps-home-');
    const repos = tempDir('forge-deps-crash-');
    try {
      const repo = makeRepo(join(repos.path, 'app'));
      const config = loadConfig({ FORGE_HOME: home.path, FORGE_PORT: '0', FORGE_LOG_LEVEL: 'silent', FORGE_VALIDATE_RESPONSES: '1' });
      // A server that wrote the change and died before any reaction: no background work ran.
      const crashed = await createForge(config, silentLogger);
      const project = await crashed.projects.create({ name: 'app', repoPath: repo, defaultExecutor: 'fake-agent' });
      const dependency = await crashed.tasks.create({ projectId: project.id, title: 'dependency' });
      const waiting = await crashed.tasks.create({ projectId: project.id, title: 'waiting', description: 'write after-crash.txt yes', autoStart: true }, [dependency.id]);
      await crashed.tasks.update(dependency.id, { status: 'done' });
      assert.deepEqual(await crashed.attempts.listByTask(waiting.id), []);
      await crashed.close();

      const restarted = await startServer(config);
      try {
        const attempt = await waitUntil(async () => {
          const [first] = await restarted.forge.attempts.listByTask(waiting.id);
          return first && ['succeeded', 'failed', 'cancelled'].includes(first.state) ? first : undefined;
        });
        assert.equal(attempt.state, 'succeeded');
        assert.equal((await restarted.forge.attempts.listByTask(waiting.id)).length, 1);
      } finally {
        await restarted.stop();
      }
    } finally {
      home.cleanup();
      repos.cleanup();
    }
  });

  it('answers 404 FORGE_FEATURE_DISABLED on the dependency routes and dependsOn while the feature is off', async () => {
    const setup = await startServerWithProject({ env: { FORGE_FEATURES: 'dependencies=off' } });
    try {
      const { server } = setup;
      const a = (await server.request('POST', '/tasks', { projectId: setup.projectId, title: 'a' })).body;
      const b = (await server.request('POST', '/tasks', { projectId: setup.projectId, title: 'b' })).body;
      const requests: [string, string, unknown?][] = [
        ['POST', `/tasks/${b.id}/dependencies`, { dependsOn: a.id }],
        ['GET', `/tasks/${b.id}/dependencies`],
        ['DELETE', `/tasks/${b.id}/dependencies/${a.id}`],
        ['POST', '/tasks', { projectId: setup.projectId, title: 'c', dependsOn: [a.id] }],
        ['POST', `/tasks/${b.id}/dependencies`, { dependsOn: 'not-an-id' }],
        // What only the feature acts on is refused too, rather than kept to do nothing.
        ['POST', '/tasks', { projectId: setup.projectId, title: 'd', autoStart: true }],
        ['PATCH', `/tasks/${a.id}`, { autoStart: true }],
        ['PATCH', `/projects/${setup.projectId}`, { autoMerge: true }],
        ['PATCH', `/projects/${setup.projectId}`, { defaultExecutor: 'fake-agent' }],
      ];
      for (const [method, path, body] of requests) {
        const answer = await server.request(method, path, body);
        assert.equal(answer.status, 404, `${method} ${path}`);
        assert.equal(answer.body.error.code, 'FORGE_FEATURE_DISABLED');
        assert.match(answer.body.error.message, /FORGE_FEATURES="dependencies=on"/);
      }
      assert.equal((await server.request('GET', `/tasks/${b.id}`)).body.dependencies, undefined, 'tasks show no dependency counts');
    } finally {
      await setup.close();
    }
  });
});

/** Polls `check` until it returns a value; the deadline is a backstop far above a slow run, so the server is still stopped. */
async function waitUntil<T>(check: () => Promise<T | undefined>, backstopMs = 120_000): Promise<T> {
  const deadline = Date.now() + backstopMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${backstopMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
