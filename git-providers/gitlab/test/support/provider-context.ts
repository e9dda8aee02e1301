import type { ProviderContext, ProviderRequest, ProviderResponse } from '@forge-core/sdk';

export interface RecordingContext extends ProviderContext {
  /** Every URL the provider asked for, in order. */
  readonly urls: string[];
}

/**
 * A ProviderContext whose fetch really goes over HTTP, the way the host's does (JSON in and out,
 * header names in lower case, a body that is not JSON kept as text), and remembers every URL the
 * provider asked for. Only tests use the global fetch; the pack gets this through its context.
 */
export function providerContext(apiBaseUrl: string, token: string | null): RecordingContext {
  const urls: string[] = [];
  const controller = new AbortController();
  return {
    apiBaseUrl,
    token,
    urls,
    signal: controller.signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    async fetch(url: string, request: ProviderRequest = {}): Promise<ProviderResponse> {
      urls.push(url);
      const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const answer = await fetch(url, {
        method: request.method ?? 'GET',
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(10_000),
      });
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
