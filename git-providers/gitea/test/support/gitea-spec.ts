import { readFileSync } from 'node:fs';

/** The extract of Gitea 1.20's OpenAPI description the fake host validates with (see test/openapi/extract.config.json). */
export const GITEA_EXTRACT = new URL('../openapi/gitea-1.20.extract.json', import.meta.url);

/** Where Gitea serves its API below the web root. */
export const GITEA_API_PATH = '/api/v1';

/**
 * What Gitea sends with every error (`APIContext.Error`, `NotFound`): a JSON body. `errors` comes
 * only with a 404, and is null when the route named no cause.
 */
const ERROR_BODY = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    url: { type: 'string' },
    errors: { type: 'array', items: { type: 'string' } },
  },
};

/** The shared responses Gitea's swagger declares for errors, which the operations used here answer with. */
const ERROR_RESPONSES = ['error', 'validationError', 'notFound'];

/**
 * The extract with one correction. Gitea's swagger declares its error responses' `message` and
 * `url` as response *headers* and no body (go-swagger reads the `APIError` struct that way), while
 * the server sends them as a JSON body; the fake host would take Gitea's real 404/409/422 for
 * drift. The correction adds that body, so those answers are checked instead of refused. Nothing
 * a request may carry is touched.
 */
export function giteaSpecWithErrorBodies(): object {
  const spec = JSON.parse(readFileSync(GITEA_EXTRACT, 'utf8')) as { components: { responses: Record<string, Record<string, unknown>> } };
  for (const name of ERROR_RESPONSES) {
    const response = spec.components.responses[name];
    if (response === undefined) throw new Error(`gitea-spec: the extract has no "${name}" response; regenerate it or update ERROR_RESPONSES`);
    response['content'] = { 'application/json': { schema: ERROR_BODY } };
  }
  return spec;
}
