import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { WebStandardStreamableHTTPServerTransport, type Server } from '@modelcontextprotocol/server';
import { SessionEventStore } from './session-event-store.ts';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  lastUsed: number;
  /** SSE responses still open: a session with one is in use however long it is quiet. */
  openStreams: number;
}

export interface LegacySessionOptions {
  maxSessions: number;
  idleMs: number;
  logger: Logger;
}

const SWEEP_EVERY_MS = 60_000;
// How long a client waits before reconnecting a dropped SSE stream.
const RETRY_MS = 2_000;

/**
 * The 2025-11-25 era over Streamable HTTP, with sessions: `initialize` opens one (its id in
 * Mcp-Session-Id), its GET stream carries resource updates, SSE streams resume with
 * Last-Event-ID, DELETE ends it. Sessions live in this process; an idle one is closed after
 * `idleMs` and a client that comes back with its id is told 404, which makes it initialize again.
 */
export class LegacySessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    /** A server for the session an `initialize` request opens. */
    private readonly newServer: (initialize: Request) => Promise<Server>,
    private readonly options: LegacySessionOptions,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), Math.min(SWEEP_EVERY_MS, options.idleMs));
    this.sweeper.unref();
  }

  /** Serves one request (its body given parsed when it is JSON); `onFinished` is how the caller says when its response is over. */
  async handle(request: Request, body: { parsedBody?: unknown }, onFinished: (done: () => void) => void): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId === null) return this.open(request, body);
    const session = this.sessions.get(sessionId);
    if (!session) return jsonRpcError(404, -32001, 'Session not found: it ended or the server restarted. Initialize a new session.');
    session.lastUsed = Date.now();
    const response = await session.transport.handleRequest(request, body);
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      session.openStreams++;
      onFinished(() => {
        session.openStreams--;
        session.lastUsed = Date.now();
      });
    }
    return response;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((session) => this.end(session)));
  }

  /** A request without a session may only be `initialize`; the transport answers anything else 400. */
  private async open(request: Request, body: { parsedBody?: unknown }): Promise<Response> {
    // Clients often leave without ending their session (the SDK's close() sends no DELETE): when
    // full, the one unused longest gives way, unless every one has a stream open.
    if (this.sessions.size >= this.options.maxSessions) this.closeLeastRecentlyUsed();
    if (this.sessions.size >= this.options.maxSessions) {
      return jsonRpcError(503, -32000, `Too many MCP sessions with an open stream (${this.options.maxSessions}, FORGE_MCP_MAX_SESSIONS); end one (DELETE) or try again later.`);
    }
    const server = await this.newServer(request);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new SessionEventStore(),
      retryInterval: RETRY_MS,
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, lastUsed: Date.now(), openStreams: 0 });
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, body);
    if (transport.sessionId === undefined) await server.close();
    return response;
  }

  private closeLeastRecentlyUsed(): void {
    let oldest: Session | null = null;
    for (const session of this.sessions.values()) if (session.openStreams === 0 && (!oldest || session.lastUsed < oldest.lastUsed)) oldest = session;
    if (oldest) void this.end(oldest);
  }

  private closeIdle(): void {
    const idleSince = Date.now() - this.options.idleMs;
    for (const session of this.sessions.values()) {
      if (session.openStreams === 0 && session.lastUsed < idleSince) void this.end(session);
    }
  }

  private async end(session: Session): Promise<void> {
    if (session.transport.sessionId) this.sessions.delete(session.transport.sessionId);
    await session.server.close().catch((error: unknown) => this.options.logger.warn({ err: error }, 'closing an MCP session failed'));
  }
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}
