import type Hapi from '@hapi/hapi';
import type { Forge } from '../forge.ts';

export function forgeOf(request: Hapi.Request): Forge {
  return request.server.app as Forge;
}

/** Standard error responses for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, { description: string }> {
  const text: Record<number, string> = {
    400: 'Invalid input; the body names each field to fix',
    401: 'Missing or wrong API token',
    404: 'Unknown id',
    409: 'Conflicts with the current state',
    413: 'Body too large',
    415: 'Body is not JSON',
    422: 'Well-formed but cannot be carried out',
    502: 'The git remote failed',
    503: "Something the request needs is unavailable: the server's secret key cannot be read, or another process holds a repository lock too long",
  };
  return Object.fromEntries(statuses.map((s) => [s, { description: text[s] ?? 'Error' }]));
}
