import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { commandLine, type McpServer } from '@forge-core/sdk';
import { collectEvents, createFakeRunContext, finalDone, makeTempDir } from '@forge-core/sdk/testing';
import { claudeCodeSettings } from '../src/claude-code-options.ts';
import { claudeInvocation, type ClaudeRunRequest } from '../src/claude-invocation.ts';
import { claudeCode } from '../src/index.ts';
import { claudeMcpConfig, MCP_CONFIG_FILE, writeMcpConfig } from '../src/mcp-config.ts';
import { DEFAULT_OPTIONS, withOptions } from './support/options.ts';

const BASE_ARGS = ['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio'];

function invocation(request: Partial<ClaudeRunRequest> & { config?: Record<string, unknown> } = {}) {
  const { config = {}, ...rest } = request;
  const settings = claudeCodeSettings(config);
  return claudeInvocation({ prompt: 'Fix the bug.', options: DEFAULT_OPTIONS, settings, command: commandLine(settings.command)!, environment: {}, ...rest });
}

describe('the claude command line', () => {
  it("runs `claude` headless, stream-json both ways, asking for permissions on stdio in Forge's default mode", () => {
    const { command, args, spawnOptions } = invocation();
    assert.equal(command, 'claude');
    assert.deepEqual(args, [...BASE_ARGS, '--permission-mode', 'default']);
    assert.deepEqual(spawnOptions, {
      env: {},
      stdin: '{"type":"user","message":{"role":"user","content":[{"type":"text","text":"Fix the bug."}]}}\n',
      interactive: true,
    });
  });

  it('puts every option in its place, the extra arguments last', () => {
    const options = withOptions({ model: 'opus', permissionMode: 'acceptEdits', maxTurns: 12, allowedTools: ['Read', 'Bash(npm test:*)'], disallowedTools: ['WebFetch'], extraArgs: ['--add-dir', '/srv/shared'] });
    const { args } = invocation({ options, sessionId: 'sess-1', mcpConfigFile: '/scratch/claude-mcp-config.json' });
    assert.deepEqual(args, [
      ...BASE_ARGS,
      '--model', 'opus',
      '--permission-mode', 'acceptEdits',
      '--max-turns', '12',
      '--resume', 'sess-1',
      '--mcp-config', '/scratch/claude-mcp-config.json', '--strict-mcp-config',
      '--allowedTools', 'Read', 'Bash(npm test:*)',
      '--disallowedTools', 'WebFetch',
      '--add-dir', '/srv/shared',
    ]);
  });

  it("takes the model from the settings when the options name none, and the option's over the setting's", () => {
    assert.deepEqual(invocation({ config: { model: 'sonnet' } }).args.slice(BASE_ARGS.length, BASE_ARGS.length + 2), ['--model', 'sonnet']);
    assert.deepEqual(invocation({ config: { model: 'sonnet' }, options: withOptions({ model: 'haiku' }) }).args.slice(BASE_ARGS.length, BASE_ARGS.length + 2), ['--model', 'haiku']);
  });

  it('starts a command line from the settings with its own words first', () => {
    const { command, args } = invocation({ config: { command: '  npx -y  @anthropic-ai/claude-code@2.1.197 ' } });
    assert.equal(command, 'npx');
    assert.deepEqual(args.slice(0, 3), ['-y', '@anthropic-ai/claude-code@2.1.197', '-p']);
  });

  it('hands claude the variables passEnv names that the server has, and only those', () => {
    const { spawnOptions } = invocation({ config: { passEnv: ['ANTHROPIC_BASE_URL', 'CLAUDE_CODE_USE_BEDROCK'] }, environment: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', OTHER_SECRET: 'no' } });
    assert.deepEqual(spawnOptions.env, { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
  });

  it('keeps a prompt of several lines on one line of input', () => {
    const { spawnOptions } = invocation({ prompt: 'line one\nline two' });
    assert.equal(spawnOptions.stdin?.split('\n').length, 2);
    const message = JSON.parse(spawnOptions.stdin ?? '') as { message: { content: { text: string }[] } };
    assert.equal(message.message.content[0]?.text, 'line one\nline two');
  });
});

describe('MCP servers for claude', () => {
  const servers: McpServer[] = [
    { name: 'forge', transport: 'stdio', command: 'forge-mcp', args: ['--stdio'], env: { TOKEN: 'x' } },
    { name: 'web', transport: 'http', url: 'https://mcp.example/mcp', headers: { authorization: 'Bearer y' } },
  ];
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => (dir = await makeTempDir('claude-mcp')));
  afterEach(() => dir.cleanup());

  it("writes them in Claude's mcpServers form, stdio and http", () => {
    assert.deepEqual(claudeMcpConfig(servers), {
      mcpServers: {
        forge: { command: 'forge-mcp', args: ['--stdio'], env: { TOKEN: 'x' } },
        web: { type: 'http', url: 'https://mcp.example/mcp', headers: { authorization: 'Bearer y' } },
      },
    });
  });

  it('writes the file in the scratch folder, readable by its owner only, and none when there are no servers', async () => {
    const file = await writeMcpConfig(servers, dir.path);
    assert.equal(file, path.join(dir.path, MCP_CONFIG_FILE));
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), claudeMcpConfig(servers));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await writeMcpConfig([], dir.path), undefined);
  });

  it('passes the file to claude from run, and fails the run in words when it cannot be written', async () => {
    const ctx = createFakeRunContext({ recording: { stdout: ['{"type":"result","subtype":"success","is_error":false,"result":"hi"}'] }, scratchDir: dir.path, mcpServers: servers, config: { command: 'claude' } });
    await collectEvents(claudeCode.run({ attemptId: 'att_1', prompt: 'hi', options: DEFAULT_OPTIONS }, ctx));
    const args = ctx.spawned[0]?.call.args ?? [];
    assert.deepEqual(args.slice(args.indexOf('--mcp-config'), args.indexOf('--mcp-config') + 3), ['--mcp-config', path.join(dir.path, MCP_CONFIG_FILE), '--strict-mcp-config']);

    const missing = path.join(dir.path, 'gone');
    const failing = createFakeRunContext({ scratchDir: missing, mcpServers: servers, config: { command: 'claude' } });
    const done = finalDone(await collectEvents(claudeCode.run({ attemptId: 'att_1', prompt: 'hi', options: DEFAULT_OPTIONS }, failing)));
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', new RegExp(`^Could not write the MCP configuration for Claude in ${missing}: ENOENT`));
    assert.deepEqual(failing.spawned, []);
  });

  it('fails a run whose command setting is blank, starting nothing', async () => {
    const ctx = createFakeRunContext({ config: { command: '   ' } });
    const done = finalDone(await collectEvents(claudeCode.run({ attemptId: 'att_1', prompt: 'hi', options: DEFAULT_OPTIONS }, ctx)));
    assert.deepEqual([done.status, done.error], ['failed', 'The setting executors.claude-code.command is blank, so there is no Claude Code to run.']);
    assert.deepEqual(ctx.spawned, []);
  });
});
