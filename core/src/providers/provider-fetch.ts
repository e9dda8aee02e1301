import { ForgeError, parseJson, type PackLogger, type ProviderContext, type ProviderRequest, type ProviderResponse } from '@forge-core/sdk';
import { redactValues } from '../runtime/redact-credentials.ts';

export interface ProviderFetchOptions {
  /** Who is asking, for errors: "github at github.com". */
  label: string;
  timeoutMs: number;
  /** The call's own signal (a hook's timeout, the server stopping). */
  signal: AbortSignal;
  /** Masked in every error this fetch raises or logs. */
  secrets: readonly string[];
  log: PackLogger;
  /** Told of every request sent and of every answer's headers: the request budget counts them and reads rate-limit signals. */
  onAnswer?(url: URL, response: ProviderResponse | null): void;
}

/** A body larger than this is not kept: a job log is read for its tail, never whole. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The fetch a provider pack gets in its context: http(s) only, a timeout per request, JSON in and
 * out, header names in lower case, and failures as ForgeErrors that name the host but never the
 * token (every configured secret is masked in what it raises or logs).
 */
export function providerFetch(options: ProviderFetchOptions): ProviderContext['fetch'] {
  const mask = <T>(value: T): T => redactValues(value, options.secrets);
  return async (target: string, request: ProviderRequest = {}): Promise<ProviderResponse> => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new ForgeError('FORGE_PROVIDER_FAILED', mask(`${options.label}: the pack asked for "${target}", which is not a URL.`));
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ForgeError('FORGE_PROVIDER_FAILED', `${options.label}: only http(s) URLs are fetched, not ${url.protocol}.`);
    }
    const method = request.method ?? 'GET';
    // Names in lower case, so a pack's `Accept` replaces the default instead of joining it.
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'forge-core' };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
    const where = `${method} ${url.origin}${url.pathname}`;
    let answer: Response;
    try {
      answer = await fetchWithinOrigin(url, { method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body), signal }, options.label);
    } catch (error) {
      options.onAnswer?.(url, null);
      if (error instanceof ForgeError) throw error;
      throw unreachable(options, where, error, signal, mask);
    }
    let read: { text: string; truncated: boolean };
    try {
      read = await readCapped(answer);
    } catch (error) {
      // The body stalled past the timeout, or the connection broke while it came.
      options.onAnswer?.(url, null);
      throw unreachable(options, where, error, signal, mask);
    }
    const { text, truncated } = read;
    // Cut JSON is no JSON: say so, rather than let the pack read "not a list".
    if (truncated && /json/i.test(answer.headers.get('content-type') ?? '')) {
      options.onAnswer?.(url, null);
      throw new ForgeError('FORGE_PROVIDER_FAILED', `${options.label}: ${where} answered more than ${MAX_BODY_BYTES / 1024 / 1024} MiB of JSON, more than Forge reads.`, {
        limitBytes: MAX_BODY_BYTES,
      });
    }
    const response: ProviderResponse = { status: answer.status, headers: Object.fromEntries(answer.headers), body: parseJson(text) ?? null }; // no body, or not JSON: null
    if (response.body === null && text !== '') response.text = text;
    options.onAnswer?.(url, response);
    options.log.debug(`${where} → ${answer.status}`);
    return response;
  };
}

const MAX_REDIRECTS = 5;

/**
 * Follows redirects by hand, on the same origin only: fetch keeps custom headers across origins
 * (GitLab's PRIVATE-TOKEN, Gitea's `token`), so a redirect elsewhere would carry the token with it.
 */
async function fetchWithinOrigin(url: URL, init: RequestInit & { method: string }, label: string): Promise<Response> {
  let target = url;
  let { method, body } = init;
  for (let hop = 0; ; hop++) {
    const answer = await fetch(target, { ...init, method, body, redirect: 'manual' });
    const location = answer.headers.get('location');
    if (answer.status < 300 || answer.status > 399 || location === null) return answer;
    await answer.body?.cancel();
    const next = new URL(location, target);
    if (next.origin !== url.origin) {
      throw new ForgeError('FORGE_PROVIDER_FAILED', `${label}: ${method} ${url.origin}${url.pathname} was redirected to ${next.origin}, another origin; not followed, so the token stays with its host. Check the host's API URL.`, {
        redirectedTo: next.origin,
      });
    }
    if (hop === MAX_REDIRECTS) throw new ForgeError('FORGE_PROVIDER_FAILED', `${label}: ${method} ${url.origin}${url.pathname} was redirected more than ${MAX_REDIRECTS} times.`);
    // 303, and 301/302 after a POST, turn into a GET without a body, as browsers and fetch do.
    if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    target = next;
  }
}

async function readCapped(answer: Response): Promise<{ text: string; truncated: boolean }> {
  if (answer.body === null) return { text: '', truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of answer.body) {
    const bytes = chunk as Uint8Array;
    // A log bigger than the cap keeps its end, where a failure is told.
    chunks.push(bytes);
    size += bytes.byteLength;
    while (size - (chunks[0]?.byteLength ?? 0) > MAX_BODY_BYTES) {
      size -= chunks.shift()!.byteLength;
      truncated = true;
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function unreachable(options: ProviderFetchOptions, where: string, error: unknown, signal: AbortSignal, mask: <T>(value: T) => T): ForgeError {
  if (options.signal.aborted) return new ForgeError('FORGE_PROVIDER_FAILED', `${options.label}: ${where} was cancelled.`);
  if (signal.aborted) {
    return new ForgeError('FORGE_PROVIDER_FAILED', `${options.label}: ${where} got no answer within ${options.timeoutMs} ms; check that the host is up and its API URL is right.`, {
      timeoutMs: options.timeoutMs,
    });
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new ForgeError('FORGE_PROVIDER_FAILED', mask(`${options.label}: could not reach ${where} (${reason}); check the network and the host's API URL.`), {
    reason: mask(reason),
  });
}
