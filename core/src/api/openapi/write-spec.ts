import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { EXECUTOR_EVENT_SCHEMA, PACK_MANIFEST_SCHEMA } from '@forge-core/sdk';
import pino from 'pino';
import { loadConfig } from '../../config/config.ts';
import { createForge } from '../../forge.ts';
import { CORE_PACKAGE_DIR, CORE_VERSION } from '../../core-package.ts';
import { buildServer } from '../server.ts';
import { buildOpenApi } from './build-openapi.ts';

/**
 * Writes the contract files under spec/ (the OpenAPI document from the routes, the JSON Schemas
 * of the plugin contract from the SDK), or with --check fails when a committed file differs
 * from what the code would generate (the contract drifted without the spec).
 */
const check = process.argv.includes('--check');
/** A development tool: it runs from the repository, where core/ sits in the root. */
const WORKSPACE_ROOT = join(CORE_PACKAGE_DIR, '..');

async function openApiDocument(): Promise<unknown> {
  const home = await mkdtemp(join(tmpdir(), 'forge-spec-'));
  try {
    const config = loadConfig({ FORGE_HOME: home, FORGE_DATABASE_URL: ':memory:' });
    const forge = await createForge(config, pino({ level: 'silent' }));
    try {
      const server = await buildServer(forge);
      return buildOpenApi(server, CORE_VERSION);
    } finally {
      await forge.close();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

const specs: { file: string; source: string; content: unknown }[] = [
  { file: join(WORKSPACE_ROOT, 'spec', 'openapi.json'), source: 'the routes', content: await openApiDocument() },
  { file: join(WORKSPACE_ROOT, 'spec', 'schemas', 'executor-event.schema.json'), source: 'sdk/src/event-schema.ts', content: EXECUTOR_EVENT_SCHEMA },
  { file: join(WORKSPACE_ROOT, 'spec', 'schemas', 'pack-manifest.schema.json'), source: 'sdk/src/manifest-schema.ts', content: PACK_MANIFEST_SCHEMA },
];

for (const { file, source, content } of specs) {
  const name = relative(WORKSPACE_ROOT, file);
  const generated = `${JSON.stringify(content, null, 2)}\n`;
  if (check) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== generated) {
      console.error(`${name} is stale: ${source} changed. Run \`npm run spec:generate\` and commit the result.`);
      process.exitCode = 1;
    } else {
      console.log(`${name} matches ${source}.`);
    }
  } else {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, generated);
    console.log(`wrote ${name}`);
  }
}
