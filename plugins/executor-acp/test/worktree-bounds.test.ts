import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, type TempDir } from '@forge-core/sdk/testing';
import { agentErrorOf, failureOf } from '../src/agent-failure.ts';
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
    writeFileSync(path.join(worktree, '.git'), 'gitdir: /elsewhere\n');
  });

  afterEach(() => root.cleanup());

  it('takes files inside the worktree, new ones and links that stay inside', () => {
    const real = realpathSync(worktree);
    assert.equal(pathInsideWorktree(worktree, path.join(worktree, 'src/new/file.ts')), path.join(real, 'src/new/file.ts'));
    assert.equal(pathInsideWorktree(worktree, path.join(worktree, 'link-in/a.ts')), path.join(real, 'src/a.ts'));
    assert.equal(pathInsideWorktree(worktree, 'src/relative.ts'), path.join(real, 'src/relative.ts'));
  });

  it('refuses paths outside, links that lead outside, and the worktree’s .git', () => {
    for (const requested of ['/etc/hostname', path.join(worktree, '..', 'outside.txt'), path.join(worktree, 'link-out'), path.join(worktree, 'src/../../x'), path.join(worktree, '.git'), path.join(worktree, '.git/config')]) {
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
});
