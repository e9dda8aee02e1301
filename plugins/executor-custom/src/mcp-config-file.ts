import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@forge-core/sdk';

/** The name of the file `{mcpConfig}` points at, inside the run's scratch folder. */
export const MCP_CONFIG_FILE_NAME = 'mcp-servers.json';

/**
 * The servers in the `{"mcpServers": {name: …}}` form that Claude Code's --mcp-config, Cursor,
 * Gemini and most MCP-aware tools read: a stdio server as command/args/env, an HTTP one as
 * url/headers, each with its `type`.
 */
export function mcpConfigJson(servers: readonly McpServer[]): string {
  const entries = servers.map((server) =>
    server.transport === 'stdio'
      ? [server.name, { type: 'stdio', command: server.command, args: server.args, env: server.env }]
      : [server.name, { type: 'http', url: server.url, headers: server.headers }],
  );
  return `${JSON.stringify({ mcpServers: Object.fromEntries(entries) }, null, 2)}\n`;
}

/** Writes the run's servers into its private scratch folder (mode 0600: headers may hold tokens) and returns the file's path. */
export async function writeMcpConfigFile(scratchDir: string, servers: readonly McpServer[]): Promise<string> {
  const file = path.join(scratchDir, MCP_CONFIG_FILE_NAME);
  await writeFile(file, mcpConfigJson(servers), { mode: 0o600 });
  return file;
}
