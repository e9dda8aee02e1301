import { AssertionError } from 'node:assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAnswer, FakeHost, FakeHostOptions, FakeRequest } from './index.ts';
import { isJsonMediaType, prepareSpec } from './prepared-spec.ts';
import { normalizeBasePath, pathBelow, pathParameters } from './request-path.ts';
import { SpecValidator, type SpecOperation } from './spec-validator.ts';

/** A request as read off the socket, before the spec is consulted. */
interface ReceivedRequest {
  request: FakeRequest;
  /** The path below the basePath, or null when the request went elsewhere. */
  specPath: string | null;
  hasBody: boolean;
  /** The body was sent as JSON and does not parse. */
  malformedJson: boolean;
}

const thrown = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function receive(incoming: IncomingMessage, origin: string, basePath: string): Promise<ReceivedRequest> {
  const raw = await readBody(incoming);
  const url = new URL(incoming.url ?? '/', origin);
  const method = (incoming.method ?? 'GET').toUpperCase();
  const headers = Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const contentType = headers['content-type'];
  let body: unknown;
  let malformedJson = false;
  if (raw.length > 0 && contentType !== undefined && isJsonMediaType(contentType)) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      malformedJson = true;
    }
  }
  const specPath = pathBelow(basePath, url.pathname);
  const path = specPath ?? url.pathname;
  return { request: { operationId: `${method} ${path}`, method, path, params: {}, query, headers, body, url }, specPath, hasBody: raw.length > 0, malformedJson };
}

function send(outgoing: ServerResponse, answer: FakeAnswer): void {
  const payload = answer.text ?? (answer.body === undefined ? undefined : JSON.stringify(answer.body));
  const contentType = answer.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  outgoing.writeHead(answer.status, { ...(payload === undefined ? {} : { 'content-type': contentType }), ...answer.headers });
  outgoing.end(payload);
}

const isStatus = (status: unknown) => Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599;

/** Starts a fake host on 127.0.0.1 on a free port; see index.ts for what it checks and answers. */
export async function startFakeHost(options: FakeHostOptions): Promise<FakeHost> {
  const label = options.label ?? 'fake host';
  const basePath = normalizeBasePath(options.basePath);
  const validator = await SpecValidator.create(await prepareSpec(options.spec), { lenientNulls: options.lenientNulls ?? false });
  const unknownKeys = Object.keys(options.handlers).filter((key) => validator.operation(key) === undefined);
  if (unknownKeys.length > 0) {
    throw new Error(`startFakeHost(${label}): handlers for operations the spec does not have: ${unknownKeys.join(', ')}. It has: ${validator.keys.join(', ')}`);
  }
  const problems: string[] = [];
  const requests: FakeRequest[] = [];

  /** Records the problem and the answer the client gets for it. */
  const refuse = (request: FakeRequest, operation: SpecOperation | undefined, status: number, what: string, errors?: string[]): FakeAnswer => {
    const named = operation === undefined || operation.operationId === operation.key ? '' : ` (${operation.operationId})`;
    problems.push(`${label}: ${request.method} ${request.url.pathname}${named}: ${what}${errors === undefined ? '' : `: ${errors.join('; ')}`}`);
    const message = `fake ${label} host: ${what}`;
    return { status, body: errors === undefined ? { message } : { message, errors } };
  };

  /** The handler's answer, or the fake host's own when the answer breaks the spec. */
  const checkedAnswer = (request: FakeRequest, operation: SpecOperation, answer: FakeAnswer, from: string): FakeAnswer => {
    if (typeof answer !== 'object' || answer === null || !isStatus(answer.status)) {
      return refuse(request, operation, 500, `${from} returned no {status} answer, so the fake host answered 500`);
    }
    const errors = validator.answerErrors(operation, answer);
    return errors.length === 0 ? answer : refuse(request, operation, 500, `${from}'s ${answer.status} answer breaks the spec, so the fake host answered 500`, errors);
  };

  const answer = async ({ request, specPath, hasBody, malformedJson }: ReceivedRequest): Promise<FakeAnswer> => {
    if (specPath === null) return refuse(request, undefined, 501, `not below the base path ${basePath}, so no operation of the spec matches (501)`);
    const operation = validator.match(request.method, specPath);
    if (operation === undefined) return refuse(request, undefined, 501, 'no operation of the spec matches this method and path (501)');
    request.operationId = operation.operationId;
    request.params = pathParameters(operation.pathTemplate, specPath);
    if (options.authenticate !== undefined) {
      let gate: FakeAnswer | undefined;
      try {
        gate = options.authenticate(request);
      } catch (error) {
        return refuse(request, operation, 500, `authenticate threw (500): ${thrown(error)}`);
      }
      // A gate's status the operation does not declare (429 on most) is accepted; see index.ts.
      if (gate) return isStatus(gate.status) && !validator.declaresStatus(operation, gate.status) ? gate : checkedAnswer(request, operation, gate, 'authenticate');
    }
    if (malformedJson) return refuse(request, operation, 400, 'the body is not valid JSON (400)');
    const requestErrors = validator.requestErrors(operation, {
      method: request.method,
      path: specPath,
      query: request.query,
      headers: request.headers,
      body: request.body,
      hasBody,
      contentType: request.headers['content-type'],
    });
    if (requestErrors.length > 0) return refuse(request, operation, 422, 'the request breaks the spec (422)', requestErrors);
    const handler = options.handlers[operation.operationId] ?? options.handlers[operation.key];
    if (handler === undefined) return refuse(request, operation, 501, `the test gave no handler for ${operation.operationId} (501)`);
    let handled: FakeAnswer;
    try {
      handled = await handler(request, host);
    } catch (error) {
      return refuse(request, operation, 500, `the handler threw (500): ${thrown(error)}`);
    }
    return checkedAnswer(request, operation, handled, 'the handler');
  };

  const serve = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const received = await receive(incoming, host.origin, basePath);
    requests.push(received.request);
    send(outgoing, await answer(received));
  };

  const server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch((error: unknown) => {
      problems.push(`${label}: ${incoming.method} ${incoming.url?.split('?')[0]}: the fake host failed (500): ${thrown(error)}`);
      if (!outgoing.headersSent) send(outgoing, { status: 500, body: { message: `fake ${label} host failed` } });
      else outgoing.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const host: FakeHost = {
    url: `${origin}${basePath}`,
    origin,
    problems,
    requests,
    sample(operationId: string, status?: number) {
      const operation = validator.operation(operationId);
      if (operation === undefined) throw new Error(`sample(${operationId}): no such operation in the spec. It has: ${validator.keys.join(', ')}`);
      const chosen = status ?? validator.defaultStatus(operation);
      if (chosen === undefined) throw new Error(`sample(${operationId}): the operation declares no 2xx answer; name the status`);
      return validator.sample(operation, chosen);
    },
    assertClean() {
      if (problems.length === 0) return;
      throw new AssertionError({ message: `${label}: ${problems.length} problem(s) with the requests the fake host was sent or the answers it gave:\n${problems.map((problem) => `  - ${problem}`).join('\n')}` });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return host;
}
