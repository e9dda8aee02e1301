import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';
import { sampleAnswer } from './answer-sample.ts';
import { makeEverySchemaNullable } from './nullable-schemas.ts';
import { isJsonObject, type JsonObject } from './openapi-objects.ts';
import { isJsonMediaType, operationKey } from './prepared-spec.ts';
import { addSchemaFormats, formatsNamedIn } from './schema-formats.ts';
import { validationMessages } from './validation-messages.ts';

/** An operation of the spec, by both names a handler may be keyed by. */
export interface SpecOperation {
  /** The spec's operationId, or "METHOD /path/template" when it gives none. */
  operationId: string;
  /** "METHOD /path/template". */
  key: string;
  method: string;
  pathTemplate: string;
}

/** A request as the validator reads it: the path below the basePath, still percent-encoded. */
export interface RequestToCheck {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  /** The parsed JSON body, or undefined. */
  body: unknown;
  /** Whether the request carried any body bytes, JSON or not. */
  hasBody: boolean;
  contentType: string | undefined;
}

/** An answer as the validator reads it. */
export interface AnswerToCheck {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

async function backendFor(document: JsonObject): Promise<OpenAPIBackend> {
  const formats = formatsNamedIn(document);
  const backend = new OpenAPIBackend({
    definition: structuredClone(document) as unknown as Document,
    // quick: no meta-schema check of the vendor's document (the vendor's problem, not ours) and validators compiled on first use.
    quick: true,
    strict: true,
    // A path must match its template exactly: a trailing slash the spec does not have is drift.
    ignoreTrailingSlashes: false,
    ajvOpts: { allErrors: true },
    customizeAjv: (ajv) => addSchemaFormats(ajv, formats),
  });
  return backend.init();
}

const contentOf = (object: unknown): JsonObject => (isJsonObject(object) && isJsonObject(object['content']) ? object['content'] : {});

/**
 * The spec, compiled once: routes a request to its operation, checks requests and answers
 * against it, and samples answers from it. Requests are checked by openapi-backend's validator
 * alone, never its security handling: which credentials a request needs is the test's
 * `authenticate` hook's call, so a spec's `security` never makes a header required.
 */
export class SpecValidator {
  readonly #document: JsonObject;
  readonly #strict: OpenAPIBackend;
  /** Checks answers; the strict backend itself unless `lenientNulls` asked for a rewritten copy. */
  readonly #answers: OpenAPIBackend;
  readonly #operations = new Map<string, { operation: SpecOperation; declared: Operation }>();

  private constructor(document: JsonObject, strict: OpenAPIBackend, answers: OpenAPIBackend) {
    this.#document = document;
    this.#strict = strict;
    this.#answers = answers;
    for (const declared of strict.getOperations()) {
      const method = declared.method.toUpperCase();
      const operation = { operationId: declared.operationId as string, key: operationKey(method, declared.path), method, pathTemplate: declared.path };
      this.#operations.set(operation.operationId, { operation, declared });
      this.#operations.set(operation.key, { operation, declared });
    }
  }

  static async create(document: JsonObject, options: { lenientNulls: boolean }): Promise<SpecValidator> {
    const strict = await backendFor(document);
    if (!options.lenientNulls) return new SpecValidator(document, strict, strict);
    const lenient = structuredClone(document);
    makeEverySchemaNullable(lenient);
    return new SpecValidator(document, strict, await backendFor(lenient));
  }

  /** The operation with this operationId or "METHOD /path/template". */
  operation(key: string): SpecOperation | undefined {
    return this.#operations.get(key)?.operation;
  }

  /** Every name the operations answer to. */
  get keys(): string[] {
    return [...this.#operations.keys()];
  }

  /** The operation a request goes to, by method and path template. */
  match(method: string, path: string): SpecOperation | undefined {
    const declared = this.#strict.router.matchOperation({ method, path, headers: {} });
    return declared === undefined ? undefined : this.operation(declared.operationId as string);
  }

  #declared(operation: SpecOperation): Operation {
    return (this.#operations.get(operation.operationId) as { declared: Operation }).declared;
  }

  /** What is wrong with a request for this operation, one line each; empty when nothing is. */
  requestErrors(operation: SpecOperation, request: RequestToCheck): string[] {
    const declared = this.#declared(operation);
    const problems: string[] = [];
    const accepted = Object.keys(contentOf(declared.requestBody));
    if (request.hasBody && declared.requestBody === undefined) problems.push('the request has a body; the operation takes none');
    const mediaType = request.contentType?.split(';')[0]?.trim().toLowerCase();
    if (request.hasBody && accepted.length > 0 && !accepted.some((type) => type === mediaType || (mediaType !== undefined && isJsonMediaType(type) && isJsonMediaType(mediaType)))) {
      problems.push(`the body is sent as ${mediaType ?? 'no content-type'}; the operation takes ${accepted.join(', ')}`);
    }
    // openapi-backend parses a body that is not an object itself, so a JSON string, number or null goes back as its JSON text.
    const body = request.body === undefined || isJsonObject(request.body) || Array.isArray(request.body) ? request.body : JSON.stringify(request.body);
    const result = this.#strict.validator.validateRequest({ method: request.method, path: request.path, query: request.query, headers: request.headers, body }, declared);
    return [...problems, ...validationMessages(result.errors ?? [], 'request')];
  }

  /** The response the spec declares for a status: exact, then a range ("4XX"), then `default`. */
  #declaredResponse(operation: SpecOperation, status: number): JsonObject | undefined {
    const responses = this.#declared(operation).responses as Record<string, unknown> | undefined;
    const response = responses?.[String(status)] ?? responses?.[`${Math.floor(status / 100)}XX`] ?? responses?.['default'];
    return isJsonObject(response) ? response : undefined;
  }

  /** Whether the spec declares an answer with this status for the operation (directly, as a range or as `default`). */
  declaresStatus(operation: SpecOperation, status: number): boolean {
    return this.#declaredResponse(operation, status) !== undefined;
  }

  /** What is wrong with an answer to this operation, one line each; empty when nothing is. */
  answerErrors(operation: SpecOperation, answer: AnswerToCheck): string[] {
    const response = this.#declaredResponse(operation, answer.status);
    if (response === undefined) {
      const declared = Object.keys((this.#declared(operation).responses ?? {}) as object).join(', ');
      return [`the spec declares no ${answer.status} answer for it (it declares ${declared || 'none'})`];
    }
    const headers = this.#strict.validator.validateResponseHeaders(answer.headers ?? {}, operation.operationId, { statusCode: answer.status });
    return [...this.#contentErrors(operation, response, answer), ...validationMessages(headers.errors ?? [], 'headers')];
  }

  /** What is wrong with an answer's body, given the response the spec declares for its status. */
  #contentErrors(operation: SpecOperation, response: JsonObject, answer: AnswerToCheck): string[] {
    const content = contentOf(response);
    const mediaTypes = Object.keys(content);
    const json = mediaTypes.find(isJsonMediaType);
    const declared = `${mediaTypes.length === 0 ? 'no body' : mediaTypes.join(', ')} for ${answer.status}`;
    if (answer.text !== undefined) {
      if (answer.body !== undefined) return ['the answer has both a JSON body and text; give one'];
      return mediaTypes.some((type) => !isJsonMediaType(type)) ? [] : [`the answer is text, but the spec declares ${declared}`];
    }
    if (answer.body === undefined) return json === undefined ? [] : [`the answer has no body, but the spec declares ${declared}`];
    if (json === undefined) return [`the answer is JSON, but the spec declares ${declared}`];
    // JSON without a schema allows any JSON; openapi-backend would fall through to the `default` response's schema instead.
    if (!isJsonObject(content[json]) || (content[json] as JsonObject)['schema'] === undefined) return [];
    return validationMessages(this.#answers.validator.validateResponse(answer.body, operation.operationId, answer.status).errors ?? [], 'body');
  }

  /** The status a sample is for when none is named: the lowest 2xx the operation declares (200 for a "2XX" range). */
  defaultStatus(operation: SpecOperation): number | undefined {
    const statuses = Object.keys((this.#declared(operation).responses ?? {}) as object);
    const exact = statuses.filter((status) => /^2\d\d$/.test(status)).map(Number);
    if (exact.length > 0) return Math.min(...exact);
    return statuses.includes('2XX') ? 200 : undefined;
  }

  /** A body valid against the operation's answer schema for a status; see answer-sample.ts. */
  sample(operation: SpecOperation, status: number): unknown {
    const sampled = sampleAnswer(this.#document, operation, status, (body) => this.#answers.validator.validateResponse(body, operation.operationId, status).errors ?? []);
    if ('body' in sampled) return sampled.body;
    throw new Error(`sample(${operation.operationId}, ${status}): ${sampled.failure}; build this body in the handler instead`);
  }
}
