import type { InitializeResponse } from '@agentclientprotocol/sdk/unstable';

/** The agent's `initialize` answer in one line for the log: who it is and what it can do that matters to a run. */
export function describeAgent(agentName: string, init: InitializeResponse): string {
  const info = init.agentInfo;
  const who = info ? `${info.title ?? info.name} ${info.version}` : agentName;
  const caps = init.agentCapabilities ?? {};
  const can: string[] = [];
  if (caps.loadSession) can.push('loads sessions');
  if (caps.sessionCapabilities?.resume != null) can.push('resumes sessions');
  const mcp = [caps.mcpCapabilities?.http ? 'http' : '', caps.mcpCapabilities?.sse ? 'sse' : ''].filter(Boolean);
  can.push(`MCP over ${['stdio', ...mcp].join(', ')}`);
  const prompts = caps.promptCapabilities ?? {};
  const media = [prompts.image ? 'images' : '', prompts.audio ? 'audio' : '', prompts.embeddedContext ? 'embedded context' : ''].filter(Boolean);
  if (media.length > 0) can.push(`prompts with ${media.join(', ')}`);
  const auth = (init.authMethods ?? []).map((method) => method.id);
  return `${who} speaks ACP ${init.protocolVersion}: ${can.join('; ')}${auth.length > 0 ? `; logs in with ${auth.join(', ')}` : ''}.`;
}
