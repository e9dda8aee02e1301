import { readFileSync } from 'node:fs';
import type { FakeAnswer } from '@forge-core/openapi-fake-host';

type JsonObject = Record<string, any>;

/** Where Bitbucket Cloud serves the 2.0 API; the description's paths start below it. */
export const BASE_PATH = '/2.0';

/** The list operations this pack pages through, and the largest `pagelen` Bitbucket accepts on each. */
export const LIST_OPERATIONS: Readonly<Record<string, number>> = {
  'GET /repositories/{workspace}/{repo_slug}/pullrequests': 50,
  'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/statuses': 100,
  'GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments': 100,
};

const extract = JSON.parse(readFileSync(new URL('../openapi/bitbucket.org.extract.json', import.meta.url), 'utf8')) as JsonObject;

function operationOf(document: JsonObject, key: string): JsonObject {
  const [method, template] = key.split(' ') as [string, string];
  const operation = document['paths']?.[template]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`the Bitbucket extract has no ${key}; regenerate it from test/openapi/extract.config.json`);
  return operation as JsonObject;
}

/**
 * The extract of Bitbucket's 2.0 description, with the one thing added that it leaves out:
 * `pagelen` and `page` on the collections. Bitbucket's REST introduction ("Pagination") documents
 * both for every paginated collection (pagelen: default 10, at most 100; pull request lists
 * allow at most 50, Bitbucket issue 9659 closed as intended), but the description lists them on no operation used here, so without
 * this the fake host would refuse a client that asks for full pages, as the pack does. Nothing else
 * is changed: an added parameter is the documented one, bounded as documented.
 */
export function bitbucketSpec(): JsonObject {
  const document = structuredClone(extract);
  for (const [key, maxPageSize] of Object.entries(LIST_OPERATIONS)) {
    const operation = operationOf(document, key);
    operation['parameters'] = [
      ...(operation['parameters'] ?? []),
      { name: 'pagelen', in: 'query', required: false, description: 'Items per page (Bitbucket REST introduction, "Pagination").', schema: { type: 'integer', minimum: 1, maximum: maxPageSize } },
      { name: 'page', in: 'query', required: false, description: 'The page to read, from 1 (Bitbucket REST introduction, "Pagination").', schema: { type: 'integer', minimum: 1 } },
    ];
  }
  return document;
}

/** Bitbucket's error envelope (components/schemas/error). */
export const errorBody = (message: string) => ({ type: 'error', error: { message } });

/**
 * An error answer as Bitbucket would give it for an operation: the error envelope, except where the
 * description declares that status without a body (its 401s on reads), so the fake host's check of
 * the answer holds.
 */
export function errorAnswer(operationKey: string, status: number, message: string, headers: Record<string, string> = {}): FakeAnswer {
  const declared = operationOf(extract, operationKey)['responses']?.[String(status)] as JsonObject | undefined;
  const bodiless = declared !== undefined && declared['content'] === undefined;
  return { status, headers, ...(bodiless ? {} : { body: errorBody(message) }) };
}
