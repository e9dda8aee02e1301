import { createMcpHandler, InMemoryServerEventBus, isLegacyRequest, type ServerEventBus } from '@modelcontextprotocol/server';
import type { Forge } from '../forge.ts';
import { agentInstructions, attemptOfRequest } from './agent-offer.ts';
import { createForgeMcpServer } from './forge-mcp-server.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { localInvoker } from './operation-invoker.ts';
import { localChanges, ResourceChanges } from './resource-changes.ts';

export interface McpHttpService {
  /** One request to /mcp, its body given parsed when it is JSON; `onFinished` says when its response is over. */
  handle(request: Request, body: { parsedBody?: unknown }, onFinished: (done: () => void) => void): Promise<Response>;
  close(): Promise<void>;
}

/**
 * What answers /mcp: a 2026-07-28 request (it carries the per-request `_meta` envelope) is served
 * statelessly by a fresh server instance; 2025-era traffic goes to its session
 * (legacy-sessions.ts). Made at the first request to /mcp: the SDK costs a quarter of a second
 * and 24 MB to load, which a server nobody drives over MCP need not pay.
 */
export function createMcpHttpService(forge: Forge): McpHttpService {
  const logger = forge.logger.child({ component: 'mcp' });
  const changes = new ResourceChanges(localChanges(forge.events, forge.liveLogs));
  const onerror = (error: Error) => logger.debug({ err: error }, 'MCP request refused or failed');
  const invoke = localInvoker(forge);
  const onToolCall = forge.metrics.mcpToolCalled;
  const modern = createMcpHandler(
    async ({ requestInfo }) =>
      createForgeMcpServer({ invoke, logger, onToolCall, moreInstructions: await agentInstructions(invoke, attemptOfRequest(requestInfo)) }),
    { legacy: 'reject', onerror, bus: busFedBy(changes) },
  );
  const sessions = new LegacySessions(
    async (initialize) =>
      createForgeMcpServer({
        invoke,
        logger,
        changes: { source: changes, era: 'legacy' },
        onToolCall,
        moreInstructions: await agentInstructions(invoke, attemptOfRequest(initialize)),
      }),
    { maxSessions: forge.config.mcpMaxSessions, idleMs: forge.config.mcpSessionIdleMs, logger },
  );
  return {
    async handle(request, body, onFinished) {
      const legacy = await isLegacyRequest(request, body.parsedBody);
      return legacy ? sessions.handle(request, body, onFinished) : modern.fetch(request, body);
    },
    async close() {
      await Promise.all([modern.close(), sessions.close()]);
    },
  };
}

/**
 * The bus the 2026-era `subscriptions/listen` streams read: resource changes flow into it only
 * while at least one stream is open (the listen router then keeps what each stream asked for).
 */
function busFedBy(changes: ResourceChanges): ServerEventBus {
  const bus = new InMemoryServerEventBus();
  let stopFeeding: (() => void) | null = null;
  return {
    publish: (event) => bus.publish(event),
    subscribe(listener) {
      const unsubscribe = bus.subscribe(listener);
      stopFeeding ??= changes.subscribe((uri) => bus.publish({ kind: 'resource_updated', uri }));
      return () => {
        unsubscribe();
        if (bus.listenerCount === 0) {
          stopFeeding?.();
          stopFeeding = null;
        }
      };
    },
  };
}
