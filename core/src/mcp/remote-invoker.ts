import http from 'node:http';
import { ForgeError, type ForgeErrorCode } from '@forge-core/sdk';
import type { ErrorBody } from '../api/error-response.ts';
import type { OperationInvoker } from './operation-invoker.ts';
import { fieldsByPlace } from './flat-input.ts';

/**
 * Runs operations through the REST API of the server at `baseUrl` (the /api/v1 prefix is added):
 * the flat input is put back where the route takes it (path, query, body), and an error answer
 * becomes the same ForgeError the server raised. Waiting operations get no progress this way.
 * `onUnreachable` hears when the server did not answer at all.
 */
export function remoteInvoker(baseUrl: string, token: string | undefined, onUnreachable?: () => void): OperationInvoker {
  return async (operation, input, options = {}) => {
    const { path: pathFields, query: queryFields } = fieldsByPlace(operation);
    const hasBody = operation.input.body !== undefined;
    const url = new URL(
      `${baseUrl}/api/v1${operation.http.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(input[name])))}`,
    );
    for (const name of queryFields) {
      const value = input[name];
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) url.searchParams.append(name, String(one));
    }
    const bodyFields = Object.entries(input).filter(([name]) => !pathFields.includes(name) && !queryFields.includes(name));
    let status: number;
    let text: string;
    try {
      ({ status, text } = await send(url, operation.http.method, {
        headers: { ...(token && { authorization: `Bearer ${token}` }), ...(hasBody && { 'content-type': 'application/json' }) },
        body: hasBody ? JSON.stringify(Object.fromEntries(bodyFields)) : undefined,
        signal: options.signal,
      }));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      onUnreachable?.();
      throw new ForgeError('FORGE_INTERNAL', `The Forge Core server at ${baseUrl} did not answer (${(error as Error).message}); is it still running?`, { url: baseUrl });
    }
    const answer = text ? (JSON.parse(text) as unknown) : undefined;
    if (status < 300) return answer as object | undefined;
    const error = (answer as ErrorBody | undefined)?.error;
    if (!error) throw new ForgeError('FORGE_INTERNAL', `The Forge Core server at ${baseUrl} answered ${status} without an error body.`, { status });
    throw new ForgeError(error.code as ForgeErrorCode, error.message, error.details as Record<string, unknown> | undefined);
  };
}


/**
 * One request with node:http: unlike fetch it sets no limit on how long the answer's headers may
 * take, and a wait may last ten minutes.
 */
function send(
  url: URL,
  method: string,
  options: { headers: Record<string, string>; body: string | undefined; signal: AbortSignal | undefined },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: options.headers, ...(options.signal && { signal: options.signal }) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
