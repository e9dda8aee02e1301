import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mcpConfigJson, writeMcpConfigFile } from '../src/mcp-config-file.ts';

describe('MCP servers file', () => {
  it('lists stdio and HTTP servers in the common {"mcpServers": …} form', () => {
    const json = mcpConfigJson([
      { name: 'docs', transport: 'stdio', command: 'docs-mcp', args: ['--stdio'], env: { TOKEN: 't' } },
      { name: 'forge', transport: 'http', url: 'http://127.0.0.1:8887/mcp', headers: { authorization: 'Bearer x' } },
    ]);
    assert.deepEqual(JSON.parse(json), {
      mcpServers: {
        docs: { type: 'stdio', command: 'docs-mcp', args: ['--stdio'], env: { TOKEN: 't' } },
        forge: { type: 'http', url: 'http://127.0.0.1:8887/mcp', headers: { authorization: 'Bearer x' } },
      },
    });
  });

  it('writes an empty list when the run has no servers, readable only by its owner', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'custom-mcp-'));
    try {
      const file = await writeMcpConfigFile(dir, []);
      assert.equal(path.dirname(file), dir);
      assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { mcpServers: {} });
      assert.equal((await stat(file)).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
