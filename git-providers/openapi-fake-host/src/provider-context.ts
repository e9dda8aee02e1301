import { parseJson, type ProviderContext, type ProviderRequest, type ProviderResponse } from '@forge-core/sdk';

/** A request the provider sent, as it went on the wire: header names in lower case, defaults included. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
}

export interface RecordingProviderContext extends ProviderContext {
  /** Every request the provider sent through `fetch`, in order, wherever it went: a test checks each stays under apiBaseUrl. */
  readonly sent: SentRequest[];
}

/** The headers the host's fetch sends unless the pack sends its own (core/src/providers/provider-fetch.ts). */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = { accept: 'application/json', 'user-agent': 'forge-core' };

/** Long enough for a loaded test machine; it only keeps a hung fake host from hanging the suite. */
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * What the host lends a provider, over real HTTP to a fake host, for a pack's tests: JSON in and
 * out, header names in lower case (a pack's `Accept` replaces the default rather than joining it),
 * a body that is not JSON kept as `text`, a timeout per request, and a record of every request.
 * Unlike the host's fetch, redirects are not followed: a provider never needs one, and following
 * it would hide a request that left apiBaseUrl. Only tests use the global fetch; the pack gets
 * this through its context.
 */
export function providerContextOver(options: { apiBaseUrl: string; token: string | null }): RecordingProviderContext {
  const sent: SentRequest[] = [];
  const fetchOverHttp = async (url: string, request: ProviderRequest = {}): Promise<ProviderResponse> => {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { ...DEFAULT_HEADERS };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    sent.push({ method, url, headers });
    const answer = await fetch(url, {
      method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await answer.text();
    const body = parseJson(text) ?? null; // no body, or not JSON: null, as the host's fetch gives it
    return { status: answer.status, headers: Object.fromEntries(answer.headers), body, ...(body === null && text !== '' ? { text } : {}) };
  };
  return {
    fetch: fetchOverHttp,
    apiBaseUrl: options.apiBaseUrl,
    token: options.token,
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sent,
  };
}

