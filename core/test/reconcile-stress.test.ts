import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const ROUNDS = 6;
const PER_ROUND = 8;
const FOLLOW_UPS = 6;

/**
 * The periodic reconcile at its shortest interval while rounds of fast attempts start and
 * finish: every finished attempt keeps its worktree, and a follow-up in it works.
 */
describe('periodic reconcile under a stream of fast attempts', function () {
  this.timeout(300_000);
  let server: TestServer;
  let repos: ReturnType<typeof tempDir>;
  let repo: string;
  let projectId: string;
  /** The worktree of every attempt made here: git must list exactly these. */
  const worktrees: string[] = [];

  before(async () => {
    server = await startTestServer({ FORGE_RECONCILE_INTERVAL_MS: '1000' });
    repos = tempDir('forge-stress-');
    repo = makeRepo(join(repos.path, 'app'));
    projectId = (await server.request('POST', '/projects', { name: 'app', repoPath: repo })).body.id;
  });

  after(async () => {
    await server.close();
    repos.cleanup();
  });

  function registeredWorktrees(): string[] {
    const root = join(server.home, 'worktrees');
    return [...git(repo, 'worktree', 'list', '--porcelain').matchAll(/^worktree (.*)$/gm)]
      .map((m) => m[1]!)
      .filter((path) => path.startsWith(root))
      .sort();
  }

  async function startRound(round: number): Promise<string[]> {
    return Promise.all(
      Array.from({ length: PER_ROUND }, async (_, i) => {
        const task = await server.request('POST', '/tasks', { projectId, title: `round ${round} task ${i}` });
        const attempt = await server.request('POST', `/tasks/${task.body.id}/attempts`, { executor: 'script', options: { command: `echo ${round}-${i} >> out.txt` } });
        assert.equal(attempt.status, 202, JSON.stringify(attempt.body));
        return attempt.body.id as string;
      }),
    );
  }

  it('keeps the worktree of an attempt started and finished while a pass was held right after reading the attempts', async () => {
    const task = (await server.request('POST', '/tasks', { projectId, title: 'between the listing and the removals' })).body;
    const attempts = server.forge.stores.attempts;
    const read = attempts.listByProject.bind(attempts);
    let attemptId: string | undefined;
    let held!: () => void;
    const wasHeld = new Promise<void>((resolve) => (held = resolve));
    attempts.listByProject = async (id: string) => {
      const listed = await read(id);
      attempts.listByProject = read;
      attemptId = (await server.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'echo held > out.txt' } })).body.id;
      await server.waitForAttempt(attemptId!, 120_000);
      held();
      return listed;
    };
    // Whichever pass (the timer's or this one) read the attempts, it is done once this returns.
    await Promise.all([server.forge.housekeeping(), wasHeld]);
    await server.forge.housekeeping();

    const attempt = (await server.request('GET', `/attempts/${attemptId}`)).body;
    worktrees.push(attempt.worktreePath);
    assert.ok(existsSync(join(attempt.worktreePath, 'out.txt')), 'the worktree is still there');
    assert.match(git(repo, 'worktree', 'list', '--porcelain'), new RegExp(`worktree ${attempt.worktreePath}\n`));
    assert.notEqual(git(repo, 'branch', '--list', attempt.branch), '', 'and its branch');
    await server.request('POST', `/attempts/${attemptId}/follow-up`, { prompt: 'again' });
    const again = await server.waitForAttempt(attemptId!, 120_000);
    assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
    assert.equal(again.worktreePath, attempt.worktreePath);
  });

  it('leaves every finished attempt its worktree, and follow-ups run in them', async () => {
    // Besides the 1 s timer, passes back to back: every moment of the run is inside some pass.
    let running = true;
    const passes = (async () => {
      while (running) await server.forge.housekeeping();
    })();
    const ids: string[] = [];
    // All queued at once: the scheduler's cap turns them into a steady stream of starts and ends.
    for (let round = 0; round < ROUNDS; round++) ids.push(...(await startRound(round)));
    const finished = await Promise.all(ids.map((id) => server.waitForAttempt(id, 180_000)));
    running = false;
    await passes;
    // A pass that started after every attempt had finished (the first call may join one under way).
    await server.forge.housekeeping();
    await server.forge.housekeeping();

    const lost = finished.filter((a) => a.state !== 'succeeded' || !a.worktreePath || !existsSync(join(a.worktreePath, 'out.txt')));
    assert.deepEqual(lost.map((a) => a.id), [], 'attempts whose worktree is gone');
    for (const attempt of finished) assert.equal((await server.request('GET', `/attempts/${attempt.id}`)).body.worktreePath, attempt.worktreePath);
    worktrees.push(...finished.map((a) => a.worktreePath));
    assert.deepEqual(registeredWorktrees(), [...worktrees].sort(), 'git lists exactly the worktrees of the attempts');

    const followed = finished.slice(0, FOLLOW_UPS);
    for (const attempt of followed) {
      const queued = await server.request('POST', `/attempts/${attempt.id}/follow-up`, { prompt: 'once more' });
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
    }
    for (const attempt of followed) {
      const again = await server.waitForAttempt(attempt.id, 120_000);
      assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
      assert.equal(again.worktreePath, attempt.worktreePath, 'the follow-up ran in the same worktree');
    }
  });
});
