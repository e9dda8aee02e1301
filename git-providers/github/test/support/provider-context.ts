import type { ProviderContext, ProviderRequest, ProviderResponse } from '@forge-core/sdk';

export interface SentRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
}

/** A provider context over real HTTP, like the host's, that remembers every request the provider sent. */
export interface RecordingProviderContext extends ProviderContext {
  readonly sent: SentRequest[];
}

/**
 * What the host lends a provider, reduced to what these tests need: JSON in and out, header names
 * in lower case, redirects not followed (a provider never needs one, and one would leave the API
 * base URL unseen).
 */
export function recordingProviderContext(options: { apiBaseUrl: string; token: string | null }): RecordingProviderContext {
  const sent: SentRequest[] = [];
  const fetchAsHost = async (url: string, request: ProviderRequest = {}): Promise<ProviderResponse> => {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { ...request.headers, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) };
    sent.push({ method, url, headers });
    const answer = await fetch(url, { method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body), redirect: 'manual' });
    const text = await answer.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: answer.status, headers: Object.fromEntries(answer.headers), body, ...(body === null && text !== '' ? { text } : {}) };
  };
  return {
    fetch: fetchAsHost,
    apiBaseUrl: options.apiBaseUrl,
    token: options.token,
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sent,
  };
}
