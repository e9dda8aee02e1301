/**
 * The run's MCP servers in the form Claude reads with `--mcp-config <file>`: a file of the run's
 * own, in its scratch folder, so the user's ~/.claude.json and the project's .mcp.json are never
 * written. With `--strict-mcp-config` Claude then sees these servers only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@forge-core/sdk';

export const MCP_CONFIG_FILE = 'claude-mcp-config.json';

type ClaudeMcpEntry = { command: string; args: string[]; env: Record<string, string> } | { type: 'http'; url: string; headers: Record<string, string> };

export function claudeMcpConfig(servers: readonly McpServer[]): { mcpServers: Record<string, ClaudeMcpEntry> } {
  const entries = servers.map((server): [string, ClaudeMcpEntry] =>
    server.transport === 'stdio'
      ? [server.name, { command: server.command, args: [...server.args], env: { ...server.env } }]
      : [server.name, { type: 'http', url: server.url, headers: { ...server.headers } }],
  );
  return { mcpServers: Object.fromEntries(entries) };
}

/**
 * Writes the file when the run has servers, readable by its owner only (a server's environment
 * or headers may hold a token), and returns its path; with none, Claude's own configuration
 * stays as it is.
 */
export async function writeMcpConfig(servers: readonly McpServer[], scratchDir: string): Promise<string | undefined> {
  if (servers.length === 0) return undefined;
  const file = path.join(scratchDir, MCP_CONFIG_FILE);
  await writeFile(file, `${JSON.stringify(claudeMcpConfig(servers), null, 2)}\n`, { mode: 0o600 });
  return file;
}
