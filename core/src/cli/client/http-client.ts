import type { EventSourceMessage } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { CommandFailure, EXIT } from './exit-codes.ts';
import type { ServerAddress } from './server-address.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/**
 * How a successful answer is known to be Forge Core's, since another server may answer JSON
 * too: the fields it must hold, or 'nothing' for a route that answers 204.
 */
export type Expected<T> = readonly (keyof T & string)[] | 'nothing';

export interface RequestOptions<T> {
  expect: Expected<T>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** How long this route may take to answer, when longer than the usual bound (a push). */
  answerWithinMs?: number;
}

export interface StreamOptions {
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: { conflicts?: unknown; [field: string]: unknown } };
}

/**
 * How long a request waits for its answer unless FORGE_CLIENT_TIMEOUT_MS says otherwise: a
 * listener that accepts and never answers would otherwise hold a command for fetch's own
 * 300 s. Every route but a push answers well within it (executors --refresh waits on each
 * pack's detection, at most 5 s by default).
 */
const ANSWER_WITHIN_MS = 30_000;
// setTimeout's largest delay.
const LONGEST_WAIT_MS = 2_147_483_647;
// Conflicting files named in a refused merge: enough to act on, still one readable line.
const CONFLICTS_NAMED = 10;

/** The bound on waiting for an answer: FORGE_CLIENT_TIMEOUT_MS, else 30 s; a bad value is a usage error. */
export function answerWithinMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.FORGE_CLIENT_TIMEOUT_MS;
  if (value === undefined || value === '') return ANSWER_WITHIN_MS;
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || ms < 1 || ms > LONGEST_WAIT_MS) {
    throw new CommandFailure(`FORGE_CLIENT_TIMEOUT_MS must be a whole number of milliseconds from 1 to ${LONGEST_WAIT_MS}, got "${value}".`, EXIT.usage);
  }
  return ms;
}

/** Something answered that is not a Forge Core server: no use asking it again. */
export class NotForgeServer extends CommandFailure {
  override name = 'NotForgeServer';
}

/** The server refused or failed the request with Forge's error: its code and details, for a command to say what to do next. */
export class RefusedRequest extends CommandFailure {
  override name = 'RefusedRequest';

  constructor(
    message: string,
    readonly code: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message, EXIT.refused);
  }
}

/**
 * The REST API of one Forge Core server (under /api/v1), through Node's fetch. Every way a
 * request can fail becomes a CommandFailure whose exit code says which: no server answering, or
 * not in time, or not Forge Core (3), the token refused (4), the request refused or failed (1,
 * with the server's own code and message).
 */
export class ForgeClient {
  constructor(
    private readonly address: ServerAddress,
    private readonly waitMs: number = ANSWER_WITHIN_MS,
  ) {}

  get url(): string {
    return this.address.url;
  }

  /** One request, its answer read whole within the time bound; the parsed JSON answer (undefined for a 204). */
  async call<T>(method: string, path: string, options: RequestOptions<T>): Promise<T> {
    const waitMs = Math.max(this.waitMs, options.answerWithinMs ?? 0);
    const [response, text] = await this.withinDeadline(`${method} ${path}`, waitMs, options.signal, async (signal) => {
      const response = await this.send(method, path, options.query, { ...(options.body !== undefined && { 'content-type': 'application/json' }) }, signal, options.body);
      return [response, await response.text()] as const;
    });
    if (!response.ok) throw this.refusal(response.status, text);
    if (options.expect === 'nothing') {
      if (text !== '') throw this.notForge(`answered ${method} ${path} with a body where Forge Core answers nothing`);
      return undefined as T;
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw this.notForge(`answered ${method} ${path} with something that is not JSON`);
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw this.notForge(`answered ${method} ${path} with JSON that is not an object`);
    const missing = options.expect.find((field) => !(field in answer));
    if (missing !== undefined) throw this.notForge(`answered ${method} ${path} without "${missing}"`);
    return answer as T;
  }

  /**
   * Opens a Server-Sent Events route: resolves once the server accepted it (or throws as `call`
   * does), with its events as they come until the server ends the stream or `signal` aborts.
   * Only the opening is bounded in time: an open stream may stay quiet as long as the agent is.
   */
  async stream(path: string, options: StreamOptions = {}): Promise<AsyncIterable<EventSourceMessage>> {
    const response = await this.withinDeadline(`GET ${path}`, this.waitMs, options.signal, async (signal) => {
      const response = await this.send('GET', path, options.query, { accept: 'text/event-stream' }, signal);
      if (!response.ok) throw this.refusal(response.status, await response.text());
      return response;
    });
    if (!response.body || response.headers.get('content-type')?.startsWith('text/event-stream') !== true) {
      throw this.notForge(`answered GET ${path} without an event stream`);
    }
    return response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  }

  /** Something in an answer that only a server that is not Forge Core would send. */
  notForge(what: string): NotForgeServer {
    return new NotForgeServer(`${this.address.url} is not a Forge Core server: it ${what}. Check ${this.address.source}.`, EXIT.unreachable);
  }

  /**
   * Runs `request` with a signal that aborts when `signal` does or `waitMs` has passed, whichever
   * comes first; the bound ends with `request`, so a stream it opened is not cut later.
   */
  private async withinDeadline<R>(what: string, waitMs: number, signal: AbortSignal | undefined, request: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), waitMs);
    try {
      return await request(signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal);
    } catch (error) {
      if (deadline.signal.aborted && !signal?.aborted) {
        throw new CommandFailure(
          `The server at ${this.address.url} did not answer within ${duration(waitMs)} (${what}). Check that it runs and is not overloaded, or that ${this.address.source} names a Forge Core server; FORGE_CLIENT_TIMEOUT_MS sets how long to wait.`,
          EXIT.unreachable,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(method: string, path: string, query: Record<string, QueryValue> | undefined, headers: Record<string, string>, signal: AbortSignal, body?: unknown): Promise<Response> {
    const url = new URL(`${this.address.url}/api/v1${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) url.searchParams.append(name, String(one));
    }
    try {
      return await fetch(url, {
        method,
        headers: { ...headers, ...(this.address.token !== undefined && { authorization: `Bearer ${this.address.token}` }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw this.unreachable(error);
    }
  }

  /**
   * No answer at all: nothing listens there, the name does not resolve, the connection broke.
   * Said by the network error's code: fetch's own message for a request it could not make
   * may quote a header, and the token is one.
   */
  private unreachable(error: unknown): CommandFailure {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    // Node's fetch will not connect to the ports browsers block (6000, 6665-6669, 10080…): the server may well run there.
    if (cause?.message === 'bad port') {
      const port = new URL(this.address.url).port;
      return new CommandFailure(`cannot connect to port ${port}: Node's fetch refuses it (a port browsers block); run the server on another port (--port / FORGE_PORT).`, EXIT.unreachable);
    }
    const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : 'the request could not be sent';
    const fix = this.address.source.startsWith('the configuration') ? 'Start it with `forgecore serve`, or pass --server <url> (or set FORGE_URL) for another one.' : `Check ${this.address.source}, or start the server.`;
    return new CommandFailure(`No Forge Core server answers at ${this.address.url} (${why}). ${fix}`, EXIT.unreachable);
  }

  private refusal(status: number, text: string): CommandFailure {
    let body: ErrorBody | null = null;
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // Not JSON: said below.
    }
    const { code, message, details } = body?.error ?? {};
    if (typeof code !== 'string' || typeof message !== 'string') return this.notForge(`answered ${status} without Forge Core's error`);
    if (status === 401) {
      const fix = this.address.token === undefined ? 'Pass its API token with FORGE_API_TOKEN or --token.' : 'The token given (--token, FORGE_API_TOKEN or config.json apiToken) is not the server\'s FORGE_API_TOKEN.';
      return new CommandFailure(`The server at ${this.address.url} refused the request (${code}). ${fix}`, EXIT.unauthorized);
    }
    if (status === 403) return new CommandFailure(`The server at ${this.address.url} refused the request: ${code}: ${message}`, EXIT.unauthorized);
    return new RefusedRequest(`${code}: ${message}${conflictsText(details?.conflicts)}`, code, typeof details === 'object' && details !== null ? details : {});
  }
}

/** The files a refused merge or rebase conflicts in, from the error's details, to say on the same line. */
function conflictsText(conflicts: unknown): string {
  if (!Array.isArray(conflicts)) return '';
  const files = conflicts.filter((file): file is string => typeof file === 'string');
  if (files.length === 0) return '';
  const more = files.length > CONFLICTS_NAMED ? ` and ${files.length - CONFLICTS_NAMED} more` : '';
  return ` Conflicts in ${files.slice(0, CONFLICTS_NAMED).join(', ')}${more}.`;
}

function duration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
