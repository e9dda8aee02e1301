import { isRecord, numberAt, parseJson, recordAt, stringAt, type JsonRecord } from '@forge-core/sdk';

/**
 * codex app-server's wire format: one JSON object a line, JSON-RPC 2.0 without the "jsonrpc"
 * field. Requests carry `id`, `method` and `params`; responses the `id` with `result` or
 * `error`; notifications `method` and `params`, to which the server adds `emittedAtMs`.
 */

export type RpcId = number | string;

export interface RpcError {
  code?: number;
  message: string;
}

export type RpcMessage =
  | { kind: 'response'; id: RpcId; result: unknown; error: RpcError | undefined }
  | { kind: 'request'; id: RpcId; method: string; params: JsonRecord }
  | { kind: 'notification'; method: string; params: JsonRecord; emittedAtMs: number | undefined };

/** JSON-RPC's code for a method the receiver does not implement. */
export const METHOD_NOT_FOUND = -32601;

function idOf(value: unknown): RpcId | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function errorOf(value: unknown): RpcError | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return { message: String(value) };
  const code = numberAt(value, 'code');
  return { ...(code === undefined ? {} : { code }), message: stringAt(value, 'message') ?? JSON.stringify(value) };
}

/** A line as a JSON-RPC message, or null for anything else (a log line, a JSON value of another shape). */
export function parseRpcLine(text: string): RpcMessage | null {
  const value = parseJson(text);
  if (!isRecord(value)) return null;
  const method = stringAt(value, 'method');
  const id = idOf(value['id']);
  const params = recordAt(value, 'params') ?? {};
  if (method !== undefined && id !== undefined) return { kind: 'request', id, method, params };
  if (method !== undefined) return { kind: 'notification', method, params, emittedAtMs: numberAt(value, 'emittedAtMs') };
  if (id !== undefined && ('result' in value || 'error' in value)) return { kind: 'response', id, result: value['result'], error: errorOf(value['error']) };
  return null;
}

export function requestLine(id: RpcId, method: string, params: unknown): string {
  return JSON.stringify({ id, method, params });
}

export function notificationLine(method: string): string {
  return JSON.stringify({ method });
}

export function resultLine(id: RpcId, result: unknown): string {
  return JSON.stringify({ id, result });
}

export function errorLine(id: RpcId, code: number, message: string): string {
  return JSON.stringify({ id, error: { code, message } });
}
