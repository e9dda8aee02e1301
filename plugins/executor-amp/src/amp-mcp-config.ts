/**
 * The run's MCP servers in the form `amp --mcp-config <file>` reads: servers by name, a local one
 * as `{command, args, env}` and a remote one as `{url, headers}`, the entries of Amp's own
 * `amp.mcpServers` setting (Sourcegraph's amp-sdk passes the same map to the flag). The file is
 * the run's own, in its scratch folder, so the user's ~/.config/amp/settings.json is never written.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@forge-core/sdk';

export const AMP_MCP_CONFIG_FILE = 'amp-mcp-config.json';

type AmpMcpEntry = { command: string; args: string[]; env: Record<string, string> } | { url: string; headers: Record<string, string> };

export function ampMcpConfig(servers: readonly McpServer[]): Record<string, AmpMcpEntry> {
  return Object.fromEntries(
    servers.map((server): [string, AmpMcpEntry] =>
      server.transport === 'stdio'
        ? [server.name, { command: server.command, args: [...server.args], env: { ...server.env } }]
        : [server.name, { url: server.url, headers: { ...server.headers } }],
    ),
  );
}

/**
 * Writes the file when the run has servers, readable by its owner only (a server's environment or
 * headers may hold a token), and returns its path; with none, amp's own configuration stays as it is.
 */
export async function writeAmpMcpConfig(servers: readonly McpServer[], scratchDir: string): Promise<string | undefined> {
  if (servers.length === 0) return undefined;
  const file = path.join(scratchDir, AMP_MCP_CONFIG_FILE);
  await writeFile(file, `${JSON.stringify(ampMcpConfig(servers), null, 2)}\n`, { mode: 0o600 });
  return file;
}
