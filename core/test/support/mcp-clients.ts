import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fileURLToPath } from 'node:url';

/** The two MCP protocol eras a client may speak: 2025-11-25 (sessions) and 2026-07-28 (stateless). */
export const ERAS = ['2025-11-25', '2026-07-28'] as const;
export type Era = (typeof ERAS)[number];

const FORGE_BIN = fileURLToPath(new URL('../../bin/forge.js', import.meta.url));

/** The official SDK client, speaking exactly the given era (no fallback). */
export function mcpClient(era: Era): Client {
  return new Client({ name: 'forge-core-tests', version: '1.0.0' }, era === '2026-07-28' ? { versionNegotiation: { mode: { pin: era } } } : {});
}

/** A client connected to a server's /mcp over Streamable HTTP. */
export async function connectHttp(serverUrl: string, era: Era, options: { token?: string; path?: string } = {}): Promise<Client> {
  const client = mcpClient(era);
  const headers = options.token ? { authorization: `Bearer ${options.token}` } : undefined;
  await client.connect(new StreamableHTTPClientTransport(new URL(`${serverUrl}${options.path ?? '/mcp'}`), headers ? { requestInit: { headers } } : {}));
  return client;
}

/** A client that starts `forgecore mcp` with this environment and talks to it over its stdin and stdout. */
export async function connectStdio(env: Record<string, string>, era: Era): Promise<{ client: Client; stderr: () => string }> {
  const client = mcpClient(era);
  let stderr = '';
  const transport = new StdioClientTransport({ command: process.execPath, args: [FORGE_BIN, 'mcp'], env: { ...process.env, ...env } as Record<string, string>, stderr: 'pipe' });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** The structured answer of a tool call that succeeded, or a failure naming the error it returned. */
export async function callOk(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

/** The REST-style error body a failed tool call carries as its text. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ code: string; message: string; details?: any }> {
  const result = await client.callTool({ name, arguments: args });
  if (!result.isError) throw new Error(`${name} succeeded, an error was expected: ${JSON.stringify(result.structuredContent)}`);
  const [first] = result.content as { type: string; text: string }[];
  return (JSON.parse(first!.text) as { error: { code: string; message: string; details?: any } }).error;
}
