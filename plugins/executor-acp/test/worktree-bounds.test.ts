import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, realpathSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, type TempDir } from '@forge-core/sdk/testing';
import { agentErrorOf, failureOf } from '../src/agent-failure.ts';
import { OutputTail } from '../src/output-tail.ts';
import { MAX_READ_BYTES, WorktreeFiles } from '../src/worktree-files.ts';
import { PathRefused, pathInsideWorktree } from '../src/worktree-paths-guard.ts';

describe('acp: paths an agent names, and the errors it answers with', () => {
  let root: TempDir;
  let worktree: string;

  beforeEach(async () => {
    root = await makeTempDir('acp-bounds');
    worktree = path.join(root.path, 'worktree');
    mkdirSync(path.join(worktree, 'src'), { recursive: true });
    writeFileSync(path.join(root.path, 'secret.txt'), 'no\n');
    symlinkSync(path.join(root.path, 'secret.txt'), path.join(worktree, 'link-out'));
    symlinkSync(path.join(worktree, 'src'), path.join(worktree, 'link-in'));
    symlinkSync(path.join(root.path, 'missing', 'target.txt'), path.join(worktree, 'dangling'));
    symlinkSync(path.join(root.path, 'missing-dir'), path.join(worktree, 'dangling-dir'));
    writeFileSync(path.join(worktree, '.git'), 'gitdir: /elsewhere\n');
  });

  afterEach(() => root.cleanup());

  it('takes files inside the worktree, new ones and links that stay inside', () => {
    const real = realpathSync(worktree);
    assert.equal(pathInsideWorktree(worktree, path.join(worktree, 'src/new/file.ts')), path.join(real, 'src/new/file.ts'));
    assert.equal(pathInsideWorktree(worktree, path.join(worktree, 'link-in/a.ts')), path.join(real, 'src/a.ts'));
    assert.equal(pathInsideWorktree(worktree, 'src/relative.ts'), path.join(real, 'src/relative.ts'));
  });

  it('refuses paths outside, links that lead outside or nowhere, and the worktree’s .git in any case', () => {
    for (const requested of ['/etc/hostname', path.join(worktree, '..', 'outside.txt'), path.join(worktree, 'link-out'), path.join(worktree, 'src/../../x'), path.join(worktree, '.git'), path.join(worktree, '.git/config'), path.join(worktree, '.GIT/x'), path.join(worktree, 'dangling'), path.join(worktree, 'dangling-dir/new.txt')]) {
      assert.throws(() => pathInsideWorktree(worktree, requested), PathRefused, requested);
    }
  });

  it('classifies the agents’ errors: auth by code or words, rate limits with their wait, quota', () => {
    const error = (code: number, message: string, data?: unknown) => agentErrorOf(Object.assign(new Error(message), { code, data }));
    assert.deepEqual(failureOf(error(-32000, 'Gemini API key is missing or not configured.')), { kind: 'auth' });
    assert.deepEqual(failureOf(error(-32000, 'Authentication required: Use Qwen Code CLI to authenticate first.', { authMethods: [] })), { kind: 'auth' });
    assert.deepEqual(failureOf(error(-32603, 'Internal error', { details: '429 Too Many Requests, retry in 1.5s' })), { kind: 'rate_limit', retryAfterMs: 1500 });
    assert.deepEqual(failureOf(error(-32603, 'Internal error', { details: 'You exceeded your current quota' })), { kind: 'quota' });
    assert.equal(failureOf(error(-32603, 'Internal error', { details: 'Connection error.' })), undefined);
    assert.deepEqual(error(-32603, 'Internal error', { details: 'Connection error.' }).details, 'Connection error.');
  });

  it('serves a file in parts, refuses one too large, a pipe or a hard link, and never writes through a link', () => {
    const notes: unknown[] = [];
    const files = new WorktreeFiles(worktree, [worktree, realpathSync(worktree)], (event) => notes.push(event));
    writeFileSync(path.join(worktree, 'src/a.txt'), 'one\ntwo\nthree\n');
    assert.deepEqual(files.read({ sessionId: 's', path: path.join(worktree, 'src/a.txt'), line: 2, limit: 1 }), { content: 'two' });
    writeFileSync(path.join(worktree, 'big.bin'), '');
    truncateSync(path.join(worktree, 'big.bin'), MAX_READ_BYTES + 1);
    assert.throws(() => files.read({ sessionId: 's', path: path.join(worktree, 'big.bin') }), new RegExp(`Refused: .*big\\.bin has ${MAX_READ_BYTES + 1} bytes, more than the ${MAX_READ_BYTES}`));
    // A named pipe would block the server until someone opened its other end; a hard link may lead outside.
    execFileSync('mkfifo', [path.join(worktree, 'fifo')]);
    assert.throws(() => files.read({ sessionId: 's', path: path.join(worktree, 'fifo') }), /is not a regular file/);
    assert.throws(() => files.write({ sessionId: 's', path: path.join(worktree, 'fifo'), content: 'x' }), /is not a regular file/);
    linkSync(path.join(root.path, 'secret.txt'), path.join(worktree, 'hard'));
    assert.throws(() => files.read({ sessionId: 's', path: path.join(worktree, 'hard') }), /has other names \(hard links\)/);
    assert.throws(() => files.write({ sessionId: 's', path: path.join(worktree, 'hard'), content: 'x' }), /has other names/);
    assert.equal(readFileSync(path.join(root.path, 'secret.txt'), 'utf8'), 'no\n');
    assert.throws(() => files.write({ sessionId: 's', path: path.join(worktree, 'dangling'), content: 'x' }), /symbolic link that points nowhere/);
    files.write({ sessionId: 's', path: path.join(worktree, 'src/new/b.txt'), content: 'b\n' });
    assert.equal(readFileSync(path.join(worktree, 'src/new/b.txt'), 'utf8'), 'b\n');
    assert.deepEqual(notes.at(-1), { type: 'file_change', path: 'src/new/b.txt', change: 'added' });
  });

  it('keeps the last bytes of a chatty command, whole lines while they fit', () => {
    const tail = new OutputTail(20);
    for (let index = 0; index < 10_000; index += 1) tail.push(`line ${index}`);
    assert.equal(tail.text(), 'line 9998\nline 9999\n');
    assert.equal(tail.truncated, true);
    const wide = new OutputTail(6);
    wide.push('ééééé');
    assert.equal(wide.text(), 'éé\n');
    const small = new OutputTail(100);
    small.push('a');
    assert.deepEqual([small.text(), small.truncated], ['a\n', false]);
  });
});
