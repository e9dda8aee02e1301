import type { ProviderContext, ProviderRequest, ProviderResponse } from '@forge-core/sdk';

/** A request the provider made, as it made it. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
}

export interface RecordingProviderContext extends ProviderContext {
  /** Every request the provider made through `fetch`, wherever it went. */
  sent: SentRequest[];
}

/** Long enough for a loaded test machine; it only keeps a hung fake host from hanging the suite. */
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * What the host lends a provider, over real HTTP to a fake host on 127.0.0.1: JSON bodies out,
 * JSON (or text) back, header names in lowercase, and a record of every request, so a test can
 * check where the provider sent them and with which headers.
 */
export function httpProviderContext(apiBaseUrl: string, token: string | null): RecordingProviderContext {
  const sent: SentRequest[] = [];
  const fetchJson = async (url: string, request: ProviderRequest = {}): Promise<ProviderResponse> => {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    sent.push({ method, url, headers });
    const response = await fetch(url, {
      method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      return { status: response.status, headers: Object.fromEntries(response.headers), body: null, text };
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  };
  return {
    fetch: fetchJson,
    apiBaseUrl,
    token,
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sent,
  };
}
