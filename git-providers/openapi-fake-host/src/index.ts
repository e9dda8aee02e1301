/**
 * A fake code host on 127.0.0.1 for a git provider pack's contract tests: it serves the
 * operations of the vendor's OpenAPI description (an extract, see extract-openapi.ts) through
 * the test's handlers, and checks every request against the spec and every answer against its
 * response schemas, so a test fails when the pack's requests drift from the real API and when a
 * handler's fixture no longer matches what the vendor sends.
 *
 * For each request, in order:
 *   1. routing by method and path template below `basePath`; no such operation → 501 + problem;
 *   2. `authenticate`, when given: its answer, if any, is sent. It is checked against the
 *      operation's declared response for that status when the spec declares one; a status the
 *      spec does not declare for the operation is accepted, because a host's gate (401, 403,
 *      429) answers on every route whatever the description lists;
 *   3. the body: JSON that does not parse → 400 + problem;
 *   4. the request against the spec (path, query — parameters the spec does not list included —,
 *      headers it declares, the body's media type and schema) → 422 {message, errors} + problem.
 *      The spec's `security` requirements are not enforced: credentials are `authenticate`'s call;
 *   5. the handler, found by operationId or by "METHOD /path/template"; none → 501 + problem;
 *      it throws → 500 + problem;
 *   6. its answer against the response the spec declares for the status (exact, "4XX", or
 *      `default`) and that response's headers; undeclared status or invalid body → 500 + problem,
 *      so the provider under test fails too.
 * Problems name the method, the path (never the query string) and what the validator said,
 * never a value sent: a token must not reach a test report.
 */
export { startFakeHost } from './fake-host.ts';
export { providerContextOver, type RecordingProviderContext, type SentRequest } from './provider-context.ts';
export type { ProviderFake } from './provider-fake.ts';
export { rejection } from './rejection.ts';

export interface FakeRequest {
  /** The spec's operationId, or "METHOD /path/template" when the spec gives none; for a request no operation matches, "METHOD /path" as sent. */
  operationId: string;
  /** Upper case. */
  method: string;
  /** The request path with the basePath removed (percent-encoded, as sent). */
  path: string;
  /** Path parameters, decoded. */
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, or undefined. */
  body: unknown;
  url: URL;
}

export interface FakeAnswer {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Added to the answer; they override the JSON content-type. */
  headers?: Record<string, string>;
  /** A non-JSON body, e.g. a job log, sent as text/plain. */
  text?: string;
}

export type FakeHandler = (request: FakeRequest, host: FakeHost) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeHostOptions {
  /** The OpenAPI 3.0 document (an extract), or a file URL to it. */
  spec: object | URL;
  /** The prefix the spec's paths are served under, e.g. '/api/v3' (GHES style); default ''. */
  basePath?: string;
  /** Keyed by operationId, or by "METHOD /path/template"; both work. Read at each request, so a test may replace one. A key that names no operation fails startFakeHost. */
  handlers: Record<string, FakeHandler>;
  /** Runs after routing, before validation; return an answer (e.g. 401) to stop there. */
  authenticate?: (request: FakeRequest) => FakeAnswer | undefined;
  /** Answers are checked as if every schema were nullable (the recorded GitLab spec omits `nullable` where GitLab sends null). Requests stay strict. */
  lenientNulls?: boolean;
  /** Starts each problem line, e.g. 'github'. */
  label?: string;
}

export interface FakeHost {
  /** origin + basePath: what a provider gets as ctx.apiBaseUrl. */
  url: string;
  /** 'http://127.0.0.1:PORT'. */
  origin: string;
  /** One line per request that failed validation, per answer that failed validation, per request to an operation absent from the spec or without a handler. */
  problems: string[];
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** A body valid against that operation's response schema (openapi-sampler; default status: the operation's first 2xx); handlers override fields on it. */
  sample(operationId: string, status?: number): any;
  /** Throws an AssertionError listing every problem, or returns when there is none. */
  assertClean(): void;
  close(): Promise<void>;
}
