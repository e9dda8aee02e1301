import http from 'node:http';

export interface HttpResponse {
  status: number;
  body: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One HTTP request to the server under test, body read to the end. Plain node:http rather than
 * fetch: its cost per request is lower and steadier, so the client adds less to what we measure.
 */
export function request(agent: http.Agent, url: string, method: string, body?: string, extraHeaders: Record<string, string> = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      ...extraHeaders,
      ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
    };
    const req = http.request(url, { method, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON request that must answer `expected`; anything else is a bench failure worth stopping for. */
export async function requestJson<T>(agent: http.Agent, url: string, method: string, payload: unknown, expected: number): Promise<T> {
  const res = await request(agent, url, method, payload === undefined ? undefined : JSON.stringify(payload));
  if (res.status !== expected) throw new Error(`${method} ${url} answered ${res.status} (expected ${expected}): ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as T;
}
