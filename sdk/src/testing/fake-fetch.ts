import { isDeepStrictEqual } from 'node:util';
import type { ProviderRequest, ProviderResponse } from '../git-provider.ts';

/** One HTTP request a provider made against the real code host, and what the host answered. */
export interface RecordedExchange {
  /** Matched on method and the exact URL (query included); `body`, when recorded, must be equal too. */
  request: { method: string; url: string; body?: unknown };
  response: { status: number; headers?: Record<string, string>; body?: unknown };
}

/** A request the provider made through the fake, as it made it. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

const describeExchange = (exchange: RecordedExchange) => `${exchange.request.method.toUpperCase()} ${exchange.request.url}`;

/**
 * A stand-in for `ProviderContext.fetch` that answers from recorded exchanges. Each exchange
 * answers once; a request nothing recorded is rejected and also remembered, so a provider that
 * swallows the rejection still fails the test.
 */
export class FakeFetch {
  readonly sent: SentRequest[] = [];
  /** Requests that matched nothing, or whose body differed from the recording. */
  readonly problems: string[] = [];
  readonly #remaining: RecordedExchange[];

  constructor(exchanges: readonly RecordedExchange[]) {
    this.#remaining = [...exchanges];
  }

  /** Recorded exchanges the provider never requested. */
  get unused(): string[] {
    return this.#remaining.map(describeExchange);
  }

  readonly fetch = async (url: string, request: ProviderRequest = {}): Promise<ProviderResponse> => {
    const method = request.method ?? 'GET';
    this.sent.push({ method, url, headers: { ...request.headers }, body: request.body });
    const index = this.#remaining.findIndex((exchange) => exchange.request.method.toUpperCase() === method && exchange.request.url === url);
    const exchange = index === -1 ? undefined : this.#remaining.splice(index, 1)[0];
    if (exchange === undefined) {
      const recorded = this.#remaining.length === 0 ? 'none is left' : `left: ${this.unused.join(', ')}`;
      this.problems.push(`unexpected request ${method} ${url} (${recorded})`);
      throw new Error(`FakeFetch: no recorded exchange for ${method} ${url}`);
    }
    if ('body' in exchange.request && !isDeepStrictEqual(request.body, exchange.request.body)) {
      this.problems.push(`${method} ${url} sent the body ${JSON.stringify(request.body)}; the recording expects ${JSON.stringify(exchange.request.body)}`);
    }
    const headers = Object.fromEntries(Object.entries(exchange.response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    return { status: exchange.response.status, headers, body: structuredClone(exchange.response.body ?? null) };
  };
}
