import type { McpServer } from '@forge-core/sdk';
import { tomlValue, type TomlValue } from './toml-value.ts';

/**
 * The run's MCP servers as codex `-c` overrides (`-c mcp_servers.<name>.command="…"`), which
 * apply to this process only: the user's ~/.codex/config.toml is never touched. Server names
 * already match MCP_SERVER_NAME_PATTERN, so they are valid bare TOML keys.
 */
export function mcpConfigArgs(servers: readonly McpServer[]): string[] {
  return servers.flatMap((server) => {
    const fields: [string, TomlValue][] =
      server.transport === 'stdio'
        ? [
            ['command', server.command],
            ['args', server.args],
            ...(Object.keys(server.env).length > 0 ? [['env', server.env] as [string, TomlValue]] : []),
          ]
        : [['url', server.url], ...(Object.keys(server.headers).length > 0 ? [['http_headers', server.headers] as [string, TomlValue]] : [])];
    return fields.flatMap(([field, value]) => ['-c', `mcp_servers.${server.name}.${field}=${tomlValue(value)}`]);
  });
}
