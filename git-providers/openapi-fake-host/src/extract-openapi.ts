/**
 * Writes the small OpenAPI extract a provider pack's contract tests run against:
 *
 *   node --import tsx git-providers/openapi-fake-host/src/extract-openapi.ts <config.json>
 *
 * config.json: {
 *   "source": { "npm": "@octokit/openapi@23.0.2", "file": "package/generated/api.github.com.json" }
 *           | { "path": "the/spec.json, relative to the config" },
 *   "operations": ["POST /repos/{owner}/{repo}/pulls", …],
 *   "output": "api.github.com.extract.json, written beside the config"
 * }
 *
 * Re-running with the same source and operations leaves the file byte for byte as it was (its
 * date included), so a regenerated extract shows in a diff only when something changed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { extractOperations, type ExtractProvenance } from './openapi-extract.ts';
import { isJsonObject, type JsonObject } from './openapi-objects.ts';
import { readSpecSource, type SpecSource } from './spec-source.ts';

interface ExtractConfig {
  source: SpecSource;
  operations: string[];
  output: string;
}

const CONFIG_KEYS = ['source', 'operations', 'output'];

function configProblems(config: unknown): string[] {
  if (!isJsonObject(config)) return ['the config must be a JSON object'];
  const problems = Object.keys(config).filter((key) => !CONFIG_KEYS.includes(key)).map((key) => `unknown field "${key}" (known: ${CONFIG_KEYS.join(', ')})`);
  const source = config['source'];
  const isText = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  const npmSource = isJsonObject(source) && isText(source['npm']) && isText(source['file']) && Object.keys(source).length === 2;
  const pathSource = isJsonObject(source) && isText(source['path']) && Object.keys(source).length === 1;
  if (!npmSource && !pathSource) problems.push('"source" must be {"npm": "<package>@<version>", "file": "package/…"} or {"path": "<file relative to the config>"}');
  const operations = config['operations'];
  if (!Array.isArray(operations) || operations.length === 0 || !operations.every(isText)) problems.push('"operations" must list "METHOD /path/template" strings');
  else if (new Set(operations).size !== operations.length) problems.push('"operations" lists an operation twice');
  if (!isText(config['output'])) problems.push('"output" must name the file to write, relative to the config');
  return problems;
}

const today = () => new Date().toISOString().slice(0, 10);

const serialize = (document: JsonObject) => `${JSON.stringify(document, null, 2)}\n`;

/** The extract dated as the file already there, when one is: equal text means nothing changed. */
function withDate(document: JsonObject, date: unknown): JsonObject {
  const info = document['info'] as JsonObject;
  return { ...document, info: { ...info, 'x-extracted-from': { ...(info['x-extracted-from'] as JsonObject), date } } };
}

async function previousExtract(file: string): Promise<{ text: string; date: unknown } | null> {
  try {
    const text = await readFile(file, 'utf8');
    const info = (JSON.parse(text) as JsonObject)['info'];
    const extractedFrom = isJsonObject(info) ? info['x-extracted-from'] : undefined;
    return { text, date: isJsonObject(extractedFrom) ? extractedFrom['date'] : undefined };
  } catch {
    return null;
  }
}

async function main(configArgument: string | undefined): Promise<void> {
  if (configArgument === undefined) throw new Error('usage: node --import tsx src/extract-openapi.ts <config.json>');
  const configFile = path.resolve(configArgument);
  const config: unknown = JSON.parse(await readFile(configFile, 'utf8'));
  const problems = configProblems(config);
  if (problems.length > 0) throw new Error(`${configFile}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  const { source, operations, output } = config as ExtractConfig;
  const configDir = path.dirname(configFile);
  const { text, provenance } = await readSpecSource(source, configDir);
  const extractProvenance: ExtractProvenance = { ...provenance, date: today() };
  const extract = extractOperations(JSON.parse(text) as JsonObject, operations, extractProvenance);
  const outputFile = path.resolve(configDir, output);
  const previous = await previousExtract(outputFile);
  const components = Object.values((extract['components'] ?? {}) as Record<string, object>).reduce((count, section) => count + Object.keys(section).length, 0);
  const summary = `${operations.length} operations, ${components} components, from ${provenance.source}${provenance.file ? ` ${provenance.file}` : ''}`;
  if (previous !== null && serialize(withDate(extract, previous.date)) === previous.text) {
    console.log(`${outputFile}: unchanged, ${Buffer.byteLength(previous.text)} bytes (${summary})`);
    return;
  }
  const written = serialize(extract);
  await writeFile(outputFile, written);
  console.log(`${outputFile}: wrote ${Buffer.byteLength(written)} bytes (${summary})`);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(`extract-openapi: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
