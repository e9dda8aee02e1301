import type { McpServer as AcpMcpServer, McpCapabilities } from '@agentclientprotocol/sdk/unstable';
import type { McpServer } from '@forge-core/sdk';

const pairs = (record: Readonly<Record<string, string>>) => Object.entries(record).map(([name, value]) => ({ name, value }));

/**
 * The run's MCP servers as `session/new` takes them: every agent takes stdio servers; an http
 * server only goes to an agent whose `mcpCapabilities` say it speaks http, and is otherwise left
 * out (and named, so the run can say so).
 */
export function acpMcpServers(servers: readonly McpServer[], capabilities: McpCapabilities): { servers: AcpMcpServer[]; skipped: McpServer[] } {
  const taken: AcpMcpServer[] = [];
  const skipped: McpServer[] = [];
  for (const server of servers) {
    if (server.transport === 'stdio') taken.push({ name: server.name, command: server.command, args: [...server.args], env: pairs(server.env) });
    else if (capabilities.http === true) taken.push({ type: 'http', name: server.name, url: server.url, headers: pairs(server.headers) });
    else skipped.push(server);
  }
  return { servers: taken, skipped };
}
