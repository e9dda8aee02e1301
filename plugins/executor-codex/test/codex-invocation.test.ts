import assert from 'node:assert/strict';
import type { McpServer } from '@forge-core/sdk';
import { createRecordingLogger } from '@forge-core/sdk/testing';
import { codexInvocation } from '../src/codex-invocation.ts';
import { codexConfig, type CodexOptions } from '../src/codex-options.ts';
import { mcpConfigArgs } from '../src/mcp-config-args.ts';
import { tomlString, tomlValue } from '../src/toml-value.ts';

const OPTIONS: CodexOptions = { model: undefined, sandbox: 'workspace-write', approvalPolicy: 'on-request', extraArgs: [], apiKey: undefined, maxReconnectWaitMs: 300_000 };
const STDIO: McpServer = { name: 'forge', transport: 'stdio', command: 'forge-mcp', args: ['--stdio'], env: { FORGE_TOKEN: 't' } };

describe('the codex command line', () => {
  it('writes TOML strings with every character TOML forbids raw escaped', () => {
    assert.equal(tomlString('plain'), '"plain"');
    assert.equal(tomlString('a"b\\c\nd\te\r\u0000\u001f\u007f é'), '"a\\"b\\\\c\\nd\\te\\r\\u0000\\u001F\\u007F é"');
    assert.equal(tomlValue(['x', 'y"']), '["x", "y\\""]');
    assert.equal(tomlValue({ 'A.B': '1', C: '' }), '{ "A.B" = "1", "C" = "" }');
    assert.equal(tomlValue({}), '{}');
  });

  it('passes MCP servers as -c overrides: command, args and env for stdio, url and headers for http', () => {
    assert.deepEqual(
      mcpConfigArgs([
        STDIO,
        { name: 'bare', transport: 'stdio', command: 'x', args: [], env: {} },
        { name: 'docs', transport: 'http', url: 'https://mcp.example.com', headers: { Authorization: 'Bearer k' } },
        { name: 'open', transport: 'http', url: 'https://open.example.com', headers: {} },
      ]),
      [
        '-c', 'mcp_servers.forge.command="forge-mcp"',
        '-c', 'mcp_servers.forge.args=["--stdio"]',
        '-c', 'mcp_servers.forge.env={ "FORGE_TOKEN" = "t" }',
        '-c', 'mcp_servers.bare.command="x"',
        '-c', 'mcp_servers.bare.args=[]',
        '-c', 'mcp_servers.docs.url="https://mcp.example.com"',
        '-c', 'mcp_servers.docs.http_headers={ "Authorization" = "Bearer k" }',
        '-c', 'mcp_servers.open.url="https://open.example.com"',
      ],
    );
  });

  it('starts `<command> app-server`, then the MCP overrides, then the extra arguments', () => {
    const { log } = createRecordingLogger();
    const invocation = codexInvocation({ ...OPTIONS, extraArgs: ['-c', 'model_reasoning_effort="high"'] }, codexConfig({ command: 'npx -y @openai/codex@0.171.0' }), [STDIO], log, {});
    assert.equal(invocation.command, 'npx');
    assert.deepEqual(invocation.args, ['-y', '@openai/codex@0.171.0', 'app-server', ...mcpConfigArgs([STDIO]), '-c', 'model_reasoning_effort="high"']);
    assert.deepEqual(invocation.env, {});
    assert.equal(invocation.hasApiKey, false);
    assert.throws(() => codexInvocation(OPTIONS, codexConfig({ command: '  ' }), [], log, {}), /command setting of the codex executor is empty/);
  });

  it('copies the variables passEnv names from the server\'s environment, and knows when a key reaches codex', () => {
    const { log, logged } = createRecordingLogger();
    const config = codexConfig({ command: 'codex', passEnv: ['CODEX_API_KEY', 'OPENAI_BASE_URL', 'NOT_SET', 'lower-case'] });
    const invocation = codexInvocation(OPTIONS, config, [], log, { CODEX_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://127.0.0.1:9', SECRET: 'no' });
    assert.deepEqual(invocation.env, { CODEX_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://127.0.0.1:9' });
    assert.equal(invocation.hasApiKey, true);
    assert.deepEqual(logged, ['warn: passEnv: "lower-case" is not an environment variable name (/^[A-Z][A-Z0-9_]*$/); skipped']);

    assert.equal(codexInvocation({ ...OPTIONS, apiKey: 'sk-option' }, codexConfig({}), [], log, {}).hasApiKey, true, 'the apiKey option becomes OPENAI_API_KEY');
    assert.equal(codexInvocation(OPTIONS, codexConfig({ passEnv: ['OPENAI_API_KEY'] }), [], log, { OPENAI_API_KEY: '' }).hasApiKey, false, 'an empty key is no key');
    assert.equal(codexInvocation(OPTIONS, codexConfig({}), [], log, { OPENAI_API_KEY: 'sk-server' }).hasApiKey, false, 'the server\'s own key stays behind unless passEnv names it');
  });

  it('fills in the settings a bare configuration leaves out', () => {
    assert.deepEqual(codexConfig({}), { command: 'codex', model: undefined, passEnv: [] });
    assert.deepEqual(codexConfig({ command: '/usr/bin/codex', model: 'gpt-x', passEnv: ['A', 3] }), { command: '/usr/bin/codex', model: 'gpt-x', passEnv: ['A'] });
  });
});
