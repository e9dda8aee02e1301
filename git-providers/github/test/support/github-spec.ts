import { readFile } from 'node:fs/promises';

/** GitHub's OpenAPI descriptions cut down to the operations the provider uses (test/openapi/*.config.json). */
export const GITHUB_SPECS = {
  'api.github.com': new URL('../openapi/api.github.com.extract.json', import.meta.url),
  'ghes-3.17': new URL('../openapi/ghes-3.17.extract.json', import.meta.url),
};

/** Adds null to every enum of a schema marked nullable, everywhere in the document. */
function listNullInNullableEnums(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach(listNullInNullableEnums);
    return;
  }
  const schema = value as Record<string, unknown>;
  if (schema['nullable'] === true && Array.isArray(schema['enum']) && !schema['enum'].includes(null)) schema['enum'] = [...schema['enum'], null];
  Object.values(schema).forEach(listNullInNullableEnums);
}

/**
 * A GitHub description as the fake host should read it. GitHub marks enums `nullable: true`
 * without listing null among their values (a check run's `conclusion` is null until it completes,
 * and GitHub sends that null); OpenAPI 3.0.3 asks for null to be listed, and the fake host's
 * validator holds to that, so the null GitHub documents is listed here. Nothing else is relaxed.
 */
export async function loadGitHubSpec(url: URL): Promise<object> {
  const document: unknown = JSON.parse(await readFile(url, 'utf8'));
  listNullInNullableEnums(document);
  return document as object;
}
