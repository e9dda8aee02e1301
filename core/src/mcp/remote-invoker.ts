import { ForgeError, type ForgeErrorCode } from '@forge-core/sdk';
import type { ErrorBody } from '../api/error-response.ts';
import type { OperationInvoker } from './operation-invoker.ts';
import { fieldsByPlace } from './flat-input.ts';

/**
 * Runs operations through the REST API of the server at `baseUrl` (the /api/v1 prefix is added):
 * the flat input is put back where the route takes it (path, query, body), and an error answer
 * becomes the same ForgeError the server raised. Waiting operations get no progress this way.
 */
export function remoteInvoker(baseUrl: string, token: string | undefined): OperationInvoker {
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
    let response: Response;
    try {
      response = await fetch(url, {
        method: operation.http.method,
        headers: { ...(token && { authorization: `Bearer ${token}` }), ...(hasBody && { 'content-type': 'application/json' }) },
        ...(hasBody && { body: JSON.stringify(Object.fromEntries(bodyFields)) }),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ForgeError('FORGE_INTERNAL', `The Forge Core server at ${baseUrl} did not answer (${(error as Error).message}); is it still running?`, { url: baseUrl });
    }
    const text = await response.text();
    const answer = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.ok) return answer as object | undefined;
    const error = (answer as ErrorBody | undefined)?.error;
    if (!error) throw new ForgeError('FORGE_INTERNAL', `The Forge Core server at ${baseUrl} answered ${response.status} without an error body.`, { status: response.status });
    throw new ForgeError(error.code as ForgeErrorCode, error.message, error.details as Record<string, unknown> | undefined);
  };
}

