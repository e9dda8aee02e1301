import type { ForgeErrorCode } from '@forge-core/sdk';
import type Joi from 'joi';
import type { FeatureName } from '../../config/features.ts';
import type { Forge } from '../../forge.ts';
import type { FeedStart } from '../sse-feed.ts';

/** What an operation may call: the services, never the stores or the server's wiring. */
export type OperationServices = Pick<
  Forge,
  'projects' | 'tasks' | 'attempts' | 'branches' | 'logs' | 'waiter' | 'eventStream' | 'packs' | 'plugins' | 'health' | 'approvals' | 'profiles' | 'pullRequests' | 'gitProviders' | 'features' | 'dependencies' | 'queue' | 'devServers' | 'webhooks'
>;

export interface OperationContext {
  services: OperationServices;
  /** The id of the last event a reconnecting stream client got (SSE's Last-Event-ID); streams resume after it. */
  lastEventId?: string | undefined;
  /** Aborted when the caller gives up (the HTTP client left, the MCP request was cancelled): an operation that waits stops then. */
  signal?: AbortSignal | undefined;
  /** Where an operation that waits reports how far it got (MCP progress notifications); absent when nobody listens. */
  progress?: ((update: ProgressUpdate) => void) | undefined;
}

export interface ProgressUpdate {
  /** Grows with every update. */
  progress: number;
  message?: string;
}

/**
 * How an operation appears to MCP clients: as a tool, described for a model (when to use it,
 * what it answers, what to call next), or not, with the reason. Every operation says which, so
 * a new one cannot be left out of MCP by oversight.
 */
export type McpExposure = { tool: string; title: string; description: string } | { notATool: string };

/**
 * Where an operation's input comes from on HTTP. The handler gets the three merged into one flat
 * object (what an MCP tool takes), so no two of them may name the same field.
 */
export interface OperationInput {
  path?: Joi.ObjectSchema;
  query?: Joi.ObjectSchema;
  body?: Joi.Schema;
}

interface OperationBase {
  /** Unique; the OpenAPI operationId and the tool name. */
  name: string;
  /** One line saying what it does and answers. */
  summary: string;
  tags: readonly string[];
  input: OperationInput;
  /** Every error code it can answer with beside success; their HTTP statuses are its error responses. */
  errors: readonly ForgeErrorCode[];
  mcp: McpExposure;
  /**
   * The feature still settling it belongs to (config/features.ts): while that is switched off, every
   * surface answers FORGE_FEATURE_DISABLED before looking at the input.
   */
  feature?: FeatureName;
}

/** An operation that answers once: an object, or nothing (204). */
export interface CallOperation<Input, Output extends object | void> extends OperationBase {
  kind: 'call';
  http: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; status: 200 | 201 | 202 | 204 };
  /** The answer's schema; none when it answers nothing (204). */
  output?: Joi.Schema;
  handler(input: Input, context: OperationContext): Promise<Output>;
}

/** An operation that streams events (Server-Sent Events on HTTP) until the client leaves or the feed finishes. */
export interface StreamOperation<Input, Item, Cursor extends string | number> extends OperationBase {
  kind: 'stream';
  http: { method: 'GET'; path: string };
  handler(input: Input, context: OperationContext): Promise<FeedStart<Item, Cursor>>;
}

/** A file an operation answers with, sent as it is produced: never whole in memory. */
export interface Download {
  /** Offered to the client to save it as (Content-Disposition). */
  filename: string;
  body: AsyncIterable<string>;
}

/** An operation that answers with a file of `contentType` (an export) rather than JSON. */
export interface DownloadOperation<Input> extends OperationBase {
  kind: 'download';
  http: { method: 'GET'; path: string; contentType: string };
  handler(input: Input, context: OperationContext): Promise<Download>;
}

/**
 * Any operation of the catalogue, its types erased: what a mount (REST, MCP) walks through. A
 * mount hands each handler the flat input that the operation's joi schemas have validated.
 */
export type Operation = CallOperation<unknown, object | void> | StreamOperation<unknown, unknown, string | number> | DownloadOperation<unknown>;

/** Declares an operation once, typed by its handler; the catalogue mounts it on every surface. */
export function defineOperation<Input, Output extends object | void>(operation: CallOperation<Input, Output>): CallOperation<Input, Output>;
export function defineOperation<Input, Item, Cursor extends string | number>(
  operation: StreamOperation<Input, Item, Cursor>,
): StreamOperation<Input, Item, Cursor>;
export function defineOperation<Input>(operation: DownloadOperation<Input>): DownloadOperation<Input>;
export function defineOperation(operation: Operation): Operation {
  return operation;
}
