import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClaudeStreamParser } from '@forge-core/executor-claude-code/stream';
import { collectEvents, createHostRunContext, finalDone, makeTempDir, type TempDir } from '@forge-core/sdk/testing';
import { fakeAgent } from '../src/index.ts';
import { runCli } from './support/run-cli.ts';

// A real Claude Code recording, also one of this pack's conformance transcripts.
const FIXTURE = new URL('./transcripts/edit-and-test.jsonl', import.meta.url);
const STREAM_JSON = ['-p', '--verbose', '--output-format', 'stream-json'];


describe('fake-claude replay', () => {
  let dir: TempDir;
  let cwd: string;
  beforeEach(async () => {
    dir = await makeTempDir('fake-claude-replay');
    cwd = path.join(dir.path, 'worktree');
    mkdirSync(cwd);
    copyFileSync(FIXTURE, path.join(cwd, 'session.jsonl'));
  });
  afterEach(() => dir.cleanup());

  it('prints the transcript a `replay <path>` prompt line names, byte for byte, and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(STREAM_JSON, cwd, 'Replay a recorded session.\nreplay session.jsonl\n');
    assert.deepEqual([code, stderr], [0, '']);
    assert.equal(stdout, readFileSync(FIXTURE, 'utf8'));
  });

  it('gives the executor the events the parser reads from the transcript offline', async () => {
    const ctx = createHostRunContext({ worktreePath: cwd });
    const options = { scenario: 'success', delayMs: 0, ignoreSigterm: false, model: undefined, rateLimitedRuns: undefined, rateLimitResetMs: undefined } as const;
    const events = await collectEvents(fakeAgent.run({ attemptId: 'att_replay', prompt: 'replay session.jsonl', options }, ctx));

    const parser = createClaudeStreamParser({ cwd });
    const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
    const offline = [...lines.flatMap((line) => parser.parseLine(line).events), parser.finish({ code: 0, signal: null }, false)];
    assert.deepEqual(events, offline);
    assert.equal(finalDone(events).status, 'succeeded');
  });

  const refusals: { name: string; prompt: string; args?: string[]; stderr: string }[] = [
    { name: 'a path out of the cwd', prompt: 'replay ../outside.jsonl', stderr: 'refusing to replay a file outside the working directory: ../outside.jsonl' },
    { name: 'an absolute path', prompt: 'replay /etc/hostname', stderr: 'refusing to replay a file outside the working directory: /etc/hostname' },
    { name: 'a symlink that leads out', prompt: 'replay link.jsonl', stderr: 'refusing to replay a file outside the working directory: link.jsonl' },
    { name: 'a missing file', prompt: 'replay missing.jsonl', stderr: 'no transcript to replay at missing.jsonl' },
    { name: 'a directory', prompt: 'replay sub', stderr: 'no transcript to replay at sub' },
    { name: 'an output format other than stream-json', prompt: 'replay session.jsonl', args: ['-p', '--output-format', 'json'], stderr: 'replay needs --output-format stream-json' },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name}, printing nothing on stdout`, async () => {
      writeFileSync(path.join(dir.path, 'outside.jsonl'), '{"type":"secret"}\n');
      symlinkSync(path.join(dir.path, 'outside.jsonl'), path.join(cwd, 'link.jsonl'));
      mkdirSync(path.join(cwd, 'sub'));
      const { code, stdout, stderr } = await runCli(refusal.args ?? STREAM_JSON, cwd, refusal.prompt);
      assert.deepEqual([code, stdout, stderr], [1, '', `fake-claude: ${refusal.stderr}\n`]);
    });
  }
});
