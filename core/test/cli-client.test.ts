import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitFiles, git } from './support/git-repo.ts';
import { forgecore, startClientServer, startForgecore, FORGE_BIN, type ClientServer } from './support/forgecore-cli.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ESCAPE = /\x1b\[/;

/** `script` runs a command on a pseudo-terminal: stdout and stderr are a TTY, as in a person's shell. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('forgecore as a client of a running server', function () {
  // A backstop only: each case waits for its processes, and a busy machine spawns slowly.
  this.timeout(300_000);
  let setup: ClientServer;
  let env: Record<string, string>;
  let projectId: string;

  before(async () => {
    setup = await startClientServer();
    env = setup.env;
  });
  after(async () => setup?.close());

  const createTask = async (title: string, description?: string): Promise<string> => {
    const run = await forgecore(env, 'task', 'create', '--project', projectId, '--title', title, ...(description ? ['--description', description] : []));
    assert.equal(run.code, 0, run.stderr);
    return run.stdout.match(new RegExp(`^Created task (${UUID}): `))![1]!;
  };

  it('runs a whole task with the CLI alone: project add, task create, attempt start --follow, diff, merge, task show', async () => {
    const added = await forgecore(env, 'project', 'add', setup.repo, '--name', 'greeting');
    assert.equal(added.code, 0, added.stderr);
    projectId = added.stdout.match(new RegExp(`^Added project greeting (${UUID}) \\(${setup.repo}, branch main\\)\\.\\n$`))![1]!;

    const taskId = await createTask('Add a greeting', 'write GREETING.md Hello from the CLI');
    const started = await forgecore(env, 'attempt', 'start', taskId, '--executor', 'fake-agent', '--follow');
    assert.equal(started.code, 0, started.stdout + started.stderr);
    assert.equal(started.stderr, '');
    const attemptId = started.stdout.match(new RegExp(`^Started attempt (${UUID}) \\(fake-agent, branch \\S+\\), queued; following its log`))![1]!;
    const lines = started.stdout.trimEnd().split('\n');
    // Readable text, in the order the agent worked: its thinking, the write, the command and its output, its message.
    for (const expected of [/^thinking: The task names GREETING\.md/, /^→ Write GREETING\.md$/, /^~ added GREETING\.md$/, /^\$ ls$/, /^ {2}GREETING\.md$/, /^Wrote 1 file\(s\): GREETING\.md$/, /^✓ agent finished/]) {
      assert.ok(lines.some((line) => expected.test(line)), `no line matches ${expected} in:\n${started.stdout}`);
    }
    assert.ok(!lines.some((line) => line.startsWith('{')), 'no raw JSON');
    assert.doesNotMatch(started.stdout, ESCAPE, 'no colours into a pipe');
    assert.match(lines.at(-1)!, new RegExp(`^✓ Attempt ${attemptId} succeeded on branch forge/\\S+\\. See it: forgecore attempt diff ${attemptId}`));

    const diff = await forgecore(env, 'attempt', 'diff', attemptId);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^diff --git a\/GREETING\.md b\/GREETING\.md$/m);
    assert.match(diff.stdout, /^\+Hello from the CLI$/m);
    const stat = await forgecore(env, 'attempt', 'diff', attemptId, '--stat');
    assert.match(stat.stdout, /^added\s+\+1 -0\s+GREETING\.md$/m);

    const merged = await forgecore(env, 'attempt', 'merge', attemptId);
    assert.equal(merged.code, 0, merged.stderr);
    const mergeCommit = merged.stdout.match(new RegExp(`^Merged attempt ${attemptId} into main as ([0-9a-f]{40})\\.\\n$`))![1]!;
    assert.equal(git(setup.repo, 'rev-parse', 'main'), mergeCommit);
    assert.equal(git(setup.repo, 'show', 'main:GREETING.md'), 'Hello from the CLI');
    // Its log read afterwards ends without suggesting a second merge.
    const log = await forgecore(env, 'logs', '-f', attemptId);
    assert.equal(log.code, 0, log.stderr);
    assert.equal(log.stdout.trimEnd().split('\n').at(-1), `✓ Attempt ${attemptId} succeeded on branch ${started.stdout.match(/branch (\S+)\)/)![1]}, merged as ${mergeCommit}.`);

    const shown = await forgecore(env, 'task', 'show', taskId);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^Status:\s+done$/m);
    assert.match(shown.stdout, new RegExp(`^${attemptId}\\s+succeeded\\s+fake-agent\\s+forge/`, 'm'));
  });

  it('--json prints exactly what the API answers, and nothing else', async () => {
    const { items: [task] } = (await setup.api('GET', `/tasks?projectId=${projectId}`)).body;
    const { items: [attempt] } = (await setup.api('GET', `/tasks/${task.id}/attempts`)).body;
    const cases: [string[], string][] = [
      [['project', 'list'], '/projects'],
      [['project', 'show', projectId], `/projects/${projectId}`],
      [['task', 'list', '--project', projectId, '--status', 'done'], `/tasks?projectId=${projectId}&status=done`],
      [['task', 'show', task.id], `/tasks/${task.id}`],
      [['attempt', 'list', task.id], `/tasks/${task.id}/attempts`],
      [['attempt', 'show', attempt.id], `/attempts/${attempt.id}`],
      [['attempt', 'diff', attempt.id, '--stat'], `/attempts/${attempt.id}/diff?includePatch=false`],
      [['approvals', 'list', '--all'], '/approvals'],
      [['executors'], '/executors'],
    ];
    for (const [args, path] of cases) {
      const run = await forgecore(env, ...args, '--json');
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr, '', args.join(' '));
      assert.deepEqual(JSON.parse(run.stdout), (await setup.api('GET', path)).body, args.join(' '));
    }
    const log = await forgecore(env, 'logs', attempt.id, '--json');
    assert.deepEqual(
      log.stdout.trimEnd().split('\n').map((line) => JSON.parse(line)),
      (await setup.api('GET', `/attempts/${attempt.id}/logs?limit=1000`)).body.items,
    );
  });

  it('task create --start --follow --json: one JSON document a line (the task, the attempt, its log entries); a follow-up shows only what it adds', async () => {
    const run = await forgecore(env, 'task', 'create', '--project', projectId, '--title', 'Add notes', '--description', 'write NOTES.md first', '--start', '--executor', 'fake-agent', '--follow', '--json');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const [task, attempt, ...entries] = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual([task.title, attempt.taskId, attempt.executor.id], ['Add notes', task.id, 'fake-agent']);
    assert.deepEqual(entries, (await setup.api('GET', `/attempts/${attempt.id}/logs?limit=1000`)).body.items);

    const followUp = await forgecore(env, 'attempt', 'follow-up', attempt.id, '--prompt', 'write NOTES.md second', '--follow');
    assert.equal(followUp.code, 0, followUp.stdout + followUp.stderr);
    assert.match(followUp.stdout, new RegExp(`^Sent the follow-up to attempt ${attempt.id} `));
    assert.equal(followUp.stdout.match(/^✓ agent finished/gm)?.length, 1, `only the follow-up's run:\n${followUp.stdout}`);
    assert.equal(git(setup.repo, 'show', `${attempt.branch}:NOTES.md`), 'second');
  });

  it("the agent's file names reach the terminal without their escape sequences; a refused merge names the conflicting files", async () => {
    const { items: tasks } = (await setup.api('GET', `/tasks?projectId=${projectId}`)).body;
    const { items: [attempt] } = (await setup.api('GET', `/tasks/${tasks.find((t: { title: string }) => t.title === 'Add notes').id}/attempts`)).body;
    // A name that would turn the terminal red and retitle its window; the base gets the same file, so merging conflicts in it.
    const evil = 'evil\x1b[31mRED\x1b]0;TITLE\x07name';
    writeFileSync(join(attempt.worktreePath, evil), 'from the agent\n');
    commitFiles(setup.repo, { [evil]: 'from the base\n' }, 'add the same file on main');

    const stat = await forgecore(env, 'attempt', 'diff', attempt.id, '--stat');
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stdout, /^added\s+\+1 -0\s+evilREDname$/m);
    assert.doesNotMatch(stat.stdout, /[\x07\x1b]/);

    const merge = await forgecore(env, 'attempt', 'merge', attempt.id);
    assert.equal(merge.code, 1, merge.stdout);
    assert.match(merge.stderr, new RegExp(`^forgecore: FORGE_MERGE_CONFLICT: main has moved and conflicts with this attempt in 1 file\\(s\\); .* Conflicts in \\S*evil\\S*name\\S*\\. Next, rebase it onto the base: \`forgecore attempt rebase ${attempt.id}\`\\.\n$`));
    assert.doesNotMatch(merge.stderr, /[\x07\x1b]/);
    const rebase = await forgecore(env, 'attempt', 'rebase', attempt.id);
    assert.equal(rebase.code, 1, rebase.stdout);
    assert.match(rebase.stderr, new RegExp(`^forgecore: FORGE_MERGE_CONFLICT: Rebasing onto main conflicts in 1 file\\(s\\);.* Next, have the agent resolve them: \`forgecore attempt follow-up ${attempt.id} --prompt "[^"]+"\`\\.\n$`));
    // The base gives the file up: the rebase goes through.
    git(setup.repo, 'rm', '-q', evil);
    git(setup.repo, 'commit', '-q', '-m', 'drop the file again');
    const rebased = await forgecore(env, 'attempt', 'rebase', attempt.id);
    assert.equal(rebased.code, 0, rebased.stderr);
    assert.match(rebased.stdout, new RegExp(`^Rebased attempt ${attempt.id} onto ${git(setup.repo, 'rev-parse', 'main')}; its branch is now at [0-9a-f]{40}\\. Merge it: forgecore attempt merge ${attempt.id}\n$`));
  });

  it('logs -f follows a running attempt live; Ctrl-C stops following, not the attempt; a stop ends it with exit 1', async () => {
    const taskId = await createTask('Wait forever');
    const started = await forgecore(env, 'attempt', 'start', taskId, '--executor', 'fake-agent', '--option', 'scenario=hang', '-q');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`^${UUID}\n$`), 'only the id');
    const attemptId = started.stdout.trim();

    const first = startForgecore(env, ['logs', '-f', attemptId]);
    await first.waitFor(/^· session \S+/m);
    first.child.kill('SIGINT');
    const interrupted = await first.exited;
    assert.equal(interrupted.code, 130);
    assert.equal(interrupted.stderr, `forgecore: Stopped following; attempt ${attemptId} goes on. Follow it again with \`forgecore logs -f ${attemptId}\`, stop it with \`forgecore attempt stop ${attemptId}\`.\n`);
    assert.equal((await setup.api('GET', `/attempts/${attemptId}`)).body.state, 'running');

    const second = startForgecore(env, ['logs', '--follow', attemptId]);
    await second.waitFor(/^· session \S+/m);
    const stopped = await forgecore(env, 'attempt', 'stop', attemptId);
    assert.equal(stopped.code, 0, stopped.stderr);
    const ended = await second.exited;
    assert.equal(ended.code, 1, 'a followed attempt that did not succeed');
    assert.match(ended.stdout.trimEnd().split('\n').at(-1)!, new RegExp(`^Attempt ${attemptId} was cancelled$`));
    const again = await forgecore(env, 'attempt', 'stop', attemptId);
    assert.deepEqual([again.code, again.stdout, again.stderr], [1, '', `forgecore: Attempt ${attemptId} has already finished (cancelled); nothing to stop.\n`]);
  });

  it('approvals: what an agent asks is listed and approved from the CLI while attempt start --follow waits', async () => {
    const taskId = await createTask('Ask first');
    const following = startForgecore(env, ['attempt', 'start', taskId, '--executor', 'asks-approval', '--follow']);
    const [, approvalId] = await following.waitFor(new RegExp(`^\\? Write waits for approval: forgecore approvals approve (${UUID}) \\(or deny\\)$`, 'm'));

    const listed = await forgecore(env, 'approvals', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${approvalId}\\s+pending\\s+${UUID}\\s+Write\\s+write APPROVED\\.md$`, 'm'));
    const approved = await forgecore(env, 'approvals', 'approve', approvalId!);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /^Approved Write \(write APPROVED\.md\) for attempt \S+, once\.\n$/);

    const ended = await following.exited;
    assert.equal(ended.code, 0, ended.stdout + ended.stderr);
    assert.match(ended.stdout, /^\? approved by user$/m);
    assert.match(ended.stdout, /succeeded on branch/);
    assert.equal((await forgecore(env, 'approvals', 'list')).stdout, 'No approval waits for an answer.\n');
  });

  it('on a terminal: a progress line while the attempt waits in the queue, and colours', async function () {
    if (!hasScript) this.skip();
    await setup.api('PATCH', '/queue', { maxConcurrentAttempts: 1 });
    try {
      const blocker = JSON.parse((await forgecore(env, 'attempt', 'start', await createTask('Hold the only slot'), '--executor', 'fake-agent', '--option', 'scenario=hang', '--json')).stdout);
      const taskId = await createTask('Wait for a slot');
      // script(1) gives the command a pseudo-terminal; both streams come back on its stdout.
      const terminal = startForgecore(env, ['-qefc', [process.execPath, FORGE_BIN, 'attempt', 'start', taskId, '--executor', 'fake-agent', '--follow'].join(' '), '/dev/null'], ['script']);
      await terminal.waitFor(/Queued: waiting for a free slot…/);
      assert.equal((await forgecore(env, 'attempt', 'stop', blocker.id)).code, 0);
      const ended = await terminal.exited;
      assert.equal(ended.code, 0, ended.stdout);
      assert.match(ended.stdout, /\r\x1b\[2K/, 'the progress line is cleared before the log goes on');
      assert.match(ended.stdout, /\x1b\[32m\x1b\[1m✓ Attempt \S+ succeeded/, 'the outcome in green');
    } finally {
      await setup.api('PATCH', '/queue', { maxConcurrentAttempts: null });
    }
    const plain = await forgecore({ ...env, FORCE_COLOR: '1' }, 'task', 'list');
    assert.match(plain.stdout, /\x1b\[32mdone/, 'FORCE_COLOR colours a pipe');
  });
});
