/**
 * An MCP server a run should see, in the two forms every agent CLI accepts. The host decides
 * the list (its configuration, a profile, later Forge's own MCP server); each pack writes it in
 * its CLI's per-run form.
 */
export interface StdioMcpServer {
  name: string;
  transport: 'stdio';
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

export interface HttpMcpServer {
  name: string;
  transport: 'http';
  url: string;
  headers: Readonly<Record<string, string>>;
}

export type McpServer = StdioMcpServer | HttpMcpServer;

/** What MCP server names look like: every CLI accepts these as keys (Codex's `-c mcp_servers.<name>` among them). */
export const MCP_SERVER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
