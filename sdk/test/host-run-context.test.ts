import assert from 'node:assert/strict';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { OutputLine } from '@forge-core/sdk';
import { createHostRunContext, makeTempDir, type HostRunContext, type TempDir } from '@forge-core/sdk/testing';

// A child that reports where it runs and what it sees, then lives until stopped when asked to.
const REPORT = `
process.stdout.write(JSON.stringify({ cwd: process.cwd(), env: process.env }) + '\\n');
if (process.argv[1] === 'hang') setInterval(() => {}, 1000);
`;

interface Report {
  cwd: string;
  env: Record<string, string>;
}

async function firstLine(lines: AsyncIterable<OutputLine>): Promise<string> {
  for await (const line of lines) if (line.stream === 'stdout') return line.text;
  throw new Error('the process printed nothing');
}

describe('createHostRunContext: real processes for end-to-end tests of a pack', () => {
  let dir: TempDir;
  let worktree: string;
  let ctx: HostRunContext | undefined;

  beforeEach(async () => {
    dir = await makeTempDir('forge-host-run-context');
    worktree = path.join(dir.path, 'worktree');
    mkdirSync(worktree);
  });

  afterEach(async () => {
    await ctx?.stopProcesses();
    ctx = undefined;
    delete process.env['FORGE_SDK_STRAY'];
    await dir.cleanup();
  });

  it("runs the spawned command in the worktree, with the test's PATH and HOME, the context's env and the spawn's env, which wins", async () => {
    process.env['FORGE_SDK_STRAY'] = 'must not leak';
    ctx = createHostRunContext({ worktreePath: worktree, env: { SWITCH: 'context', SHARED: 'context' } });
    const child = ctx.spawn(process.execPath, ['-e', REPORT], { env: { SHARED: 'spawn' } });
    const report = JSON.parse(await firstLine(child.lines())) as Report;
    assert.equal(report.cwd, worktree);
    const { PATH, HOME, SWITCH, SHARED, ...rest } = report.env;
    assert.deepEqual({ PATH, HOME, SWITCH, SHARED }, { PATH: process.env['PATH'], HOME: process.env['HOME'], SWITCH: 'context', SHARED: 'spawn' });
    assert.deepEqual(rest, {}, 'nothing else of the test runner\'s environment');
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    assert.deepEqual(ctx.processes, [child]);
    assert.deepEqual(ctx.spawned.map(({ call }) => call.options.env), [{ SHARED: 'spawn' }]);
  });

  it('stops its processes when the run is stopped, as the host does', async () => {
    ctx = createHostRunContext({ worktreePath: worktree });
    const child = ctx.spawn(process.execPath, ['-e', REPORT, 'hang']);
    await firstLine(child.lines());
    ctx.abort();
    assert.deepEqual(await child.exited, { code: null, signal: 'SIGTERM' });
  });

  it('with stopOnAbort false, leaves a stopped run\'s processes running until stopProcesses', async () => {
    ctx = createHostRunContext({ worktreePath: worktree, stopOnAbort: false });
    const child = ctx.spawn(process.execPath, ['-e', REPORT, 'hang']);
    await firstLine(child.lines());
    ctx.abort();
    // Still alive after the abort: signal 0 only checks that the process exists.
    assert.ok(child.pid !== undefined && process.kill(child.pid, 0));
    await ctx.stopProcesses();
    assert.deepEqual(await child.exited, { code: null, signal: 'SIGTERM' });
  });

  it("answers approvals and gives settings, MCP servers and the scratch folder as the kit's fake context does", async () => {
    ctx = createHostRunContext({
      worktreePath: worktree,
      scratchDir: dir.path,
      config: { command: 'my-agent' },
      mcpServers: [{ name: 'docs', transport: 'http', url: 'http://127.0.0.1:9/mcp', headers: {} }],
      approvals: [{ outcome: 'denied', reason: 'not here' }],
    });
    assert.deepEqual([ctx.worktree.path, ctx.scratchDir, ctx.config, ctx.mcpServers.map(({ name }) => name)], [worktree, dir.path, { command: 'my-agent' }, ['docs']]);
    assert.deepEqual(await ctx.requestApproval({ tool: 'Bash' }), { outcome: 'denied', scope: 'once', by: 'user', reason: 'not here' });
    assert.deepEqual(await ctx.requestApproval({ tool: 'Bash' }), { outcome: 'approved', scope: 'once', by: 'user' });
  });
});

describe('makeTempDir', () => {
  it('makes a fresh folder by its real path, which cleanup removes with its content', async () => {
    const dir = await makeTempDir('forge-temp-dir');
    const other = await makeTempDir('forge-temp-dir');
    assert.match(path.basename(dir.path), /^forge-temp-dir-/);
    assert.notEqual(other.path, dir.path);
    assert.equal(realpathSync(dir.path), dir.path);
    mkdirSync(path.join(dir.path, 'inside'));
    await Promise.all([dir.cleanup(), other.cleanup()]);
    assert.deepEqual([existsSync(dir.path), existsSync(other.path)], [false, false]);
  });
});
