import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/config.ts';
import { createForge } from '../../forge.ts';
import { WORKSPACE_ROOT } from '../../plugins/discover.ts';
import { buildServer } from '../server.ts';
import { buildOpenApi } from './build-openapi.ts';

/**
 * Writes spec/openapi.json from the routes, or with --check fails when the committed file
 * differs from what the code would generate (the contract drifted without the spec).
 */
const SPEC_FILE = join(WORKSPACE_ROOT, 'spec', 'openapi.json');
const check = process.argv.includes('--check');

const home = await mkdtemp(join(tmpdir(), 'forge-spec-'));
try {
  const config = loadConfig({ FORGE_HOME: home, FORGE_DATABASE_URL: ':memory:' });
  const forge = await createForge(config, pino({ level: 'silent' }));
  const server = await buildServer(forge);
  const pkg = JSON.parse(await readFile(join(WORKSPACE_ROOT, 'core', 'package.json'), 'utf8')) as { version: string };
  const generated = `${JSON.stringify(buildOpenApi(server, pkg.version), null, 2)}\n`;
  await forge.close();
  if (check) {
    const committed = await readFile(SPEC_FILE, 'utf8').catch(() => '');
    if (committed !== generated) {
      console.error('spec/openapi.json is stale: the routes changed. Run `npm run spec:generate` and commit the result.');
      process.exitCode = 1;
    } else {
      console.log('spec/openapi.json matches the routes.');
    }
  } else {
    await writeFile(SPEC_FILE, generated);
    console.log(`wrote ${SPEC_FILE}`);
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
