import type { ProviderContext, ProviderRequest, ProviderResponse } from '@forge-core/sdk';

export interface HttpProviderContext extends ProviderContext {
  /** Every URL the provider asked for, in order: a test checks they all stay under apiBaseUrl. */
  readonly sentUrls: string[];
}

/**
 * A ProviderContext over real HTTP, shaped like the host's: JSON in and out, header names in
 * lower case, a non-JSON body as `text`. The provider under test gets it; the test keeps the
 * list of URLs asked for.
 */
export function httpProviderContext(apiBaseUrl: string, token: string | null): HttpProviderContext {
  const sentUrls: string[] = [];
  return {
    apiBaseUrl,
    token,
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sentUrls,
    async fetch(url: string, request: ProviderRequest = {}): Promise<ProviderResponse> {
      sentUrls.push(url);
      const headers = { accept: 'application/json', ...request.headers, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) };
      const answer = await fetch(url, { method: request.method ?? 'GET', headers, body: request.body === undefined ? undefined : JSON.stringify(request.body), signal: AbortSignal.timeout(10_000) });
      const text = await answer.text();
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = null;
      }
      return { status: answer.status, headers: Object.fromEntries(answer.headers), body, ...(body === null && text !== '' ? { text } : {}) };
    },
  };
}
