import { readFileSync } from 'node:fs';

const EXTRACT = new URL('../openapi/gitlab.extract.json', import.meta.url);

type Json = Record<string, any>;

/**
 * GitLab's error body: `{"message": "404 Not found"}`, a list for model errors (`["Another open
 * merge request already exists for this source branch: !1"]`) or field → messages
 * (docs.gitlab.com/api/rest/troubleshooting#status-codes).
 */
const ERROR_BODY = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'object' }] },
  },
};

const arrayOf = (schema: Json) => ({ type: 'array', items: schema });

/**
 * The recorded GitLab spec (test/openapi/gitlab.extract.json), with the corrections real GitLab
 * answers need. Each one is a place where the spec, transcribed from GitLab's own
 * openapi_v3.yaml, says less than GitLab sends (see /work/shared/data/README.md):
 *
 * 1. Error answers (4xx) are declared without a body, yet GitLab sends a JSON `{message}` with
 *    each; the fake host sends that body, as GitLab does, so the provider meets the host's words.
 * 2. The notes list is declared as one `APIEntitiesNote`; GitLab answers with a list of notes.
 * 3. `assignees` and `reviewers` of a merge request, and `suggestions` of a note, are declared as
 *    one object; GitLab sends lists.
 *
 * Requests are not corrected: every request the provider sends is checked against the spec as
 * recorded. Nullable fields are the fake host's `lenientNulls`.
 */
export function gitlabSpec(): Json {
  const spec = JSON.parse(readFileSync(EXTRACT, 'utf8')) as Json;
  for (const item of Object.values(spec['paths'] as Json)) {
    for (const operation of Object.values(item as Json)) {
      for (const [status, response] of Object.entries((operation as Json)['responses'] ?? {})) {
        if (/^4\d\d$/.test(status) && (response as Json)['content'] === undefined) {
          (response as Json)['content'] = { 'application/json': { schema: ERROR_BODY } };
        }
      }
    }
  }
  const notes = spec['paths']['/api/v4/projects/{id}/merge_requests/{noteable_id}/notes']['get']['responses']['200']['content']['application/json'];
  notes['schema'] = arrayOf(notes['schema']);
  const schemas = spec['components']['schemas'] as Json;
  for (const name of ['APIEntitiesMergeRequest', 'APIEntitiesMergeRequestBasic']) {
    for (const field of ['assignees', 'reviewers']) schemas[name]['properties'][field] = arrayOf(schemas[name]['properties'][field]);
  }
  schemas['APIEntitiesNote']['properties']['suggestions'] = arrayOf(schemas['APIEntitiesNote']['properties']['suggestions']);
  return spec;
}
