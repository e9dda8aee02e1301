import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Hapi from '@hapi/hapi';
import { ForgeError } from '@forge-core/sdk';
import { isPublicDocsPath } from '../src/api/api-docs.ts';
import { operations } from '../src/api/operations/catalogue.ts';
import type { Operation, OperationContext } from '../src/api/operations/operation.ts';
import { getProjectsByProjectId, postProjects } from '../src/api/operations/projects.ts';
import { errorStatuses } from '../src/api/rest-mount.ts';
import { buildServer } from '../src/api/server.ts';
import { fieldsOf } from '../src/mcp/flat-input.ts';
import { loadConfig } from '../src/config/config.ts';
import { createForge, type Forge } from '../src/forge.ts';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { silentLogger } from './support/test-server.ts';

/**
 * The operation catalogue is the one place the API is declared: every REST route is mounted from
 * it, the committed spec matches it, and its handlers run without HTTP (as an MCP tool calls them).
 */

const API_DIR = fileURLToPath(new URL('../src/api/', import.meta.url));
const SPEC_FILE = fileURLToPath(new URL('../../spec/openapi.json', import.meta.url));
const PREFIX = '/api/v1';

interface SpecOperation {
  operationId: string;
  summary: string;
  responses: Record<string, unknown>;
}
const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as { paths: Record<string, Record<string, SpecOperation>> };

const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
const keyOf = (operation: Operation) => routeKey(operation.http.method, PREFIX + operation.http.path);

describe('operation catalogue', () => {
  let home: ReturnType<typeof tempDir>;
  let forge: Forge;
  let server: Hapi.Server;

  before(async () => {
    home = tempDir('forge-catalogue-');
    forge = await createForge(loadConfig({ FORGE_HOME: home.path, FORGE_LOG_LEVEL: 'silent' }), silentLogger);
    server = await buildServer(forge);
  });

  after(async () => {
    await forge?.close();
    home?.cleanup();
  });

  it('mounts every /api/v1 route from exactly one operation, and every operation as one route named after it', () => {
    // The contract and its page are served beside the operations, not as operations (api-docs.ts).
    const routes = server.table().filter((route) => route.path.startsWith(`${PREFIX}/`) && !isPublicDocsPath(route.path));
    const byKey = new Map(operations.map((operation) => [keyOf(operation), operation]));
    assert.equal(byKey.size, operations.length, 'two operations declare the same method and path');
    assert.deepEqual(routes.map((route) => routeKey(route.method, route.path)).sort(), [...byKey.keys()].sort());
    for (const route of routes) assert.equal(route.settings.id, byKey.get(routeKey(route.method, route.path))!.name);
  });

  it('names every operation once', () => {
    const names = operations.map((operation) => operation.name);
    assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
  });

  it('matches the committed spec: operationId, summary and error statuses come from the operation', () => {
    const inSpec = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => routeKey(method, path)));
    assert.deepEqual(inSpec.sort(), operations.map(keyOf).sort());
    for (const operation of operations) {
      const described = spec.paths[PREFIX + operation.http.path]![operation.http.method.toLowerCase()]!;
      assert.equal(described.operationId, operation.name);
      assert.equal(described.summary, operation.summary);
      const errors = Object.keys(described.responses).map(Number).filter((status) => status >= 400);
      assert.deepEqual(errorStatuses(operation.errors), errors, `${operation.name}: its error codes answer other statuses than the spec lists`);
    }
  });

  it('takes each input field from one place only, so path, query and body merge into one flat input', () => {
    for (const { name, input } of operations) {
      const fields = [...fieldsOf(input.path), ...fieldsOf(input.query), ...fieldsOf(input.body)];
      assert.deepEqual(fields.filter((field, i) => fields.indexOf(field) !== i), [], `${name} names a field twice`);
    }
  });

  it('runs a handler without HTTP, on one flat input', async () => {
    const context: OperationContext = { services: forge };
    const repo = makeRepo(join(home.path, 'repo'));
    const created = await postProjects.handler({ name: 'direct', repoPath: repo, setupScript: '' }, context);
    assert.equal(created.repoPath, repo);
    assert.equal(created.setupScript, null, 'an empty script means none, whatever the surface');
    assert.deepEqual(await getProjectsByProjectId.handler({ projectId: created.id }, context), created);

    const unknown = randomUUID();
    await assert.rejects(getProjectsByProjectId.handler({ projectId: unknown }, context), (error: unknown) => {
      assert.ok(error instanceof ForgeError);
      assert.ok(getProjectsByProjectId.errors.includes(error.code), `${error.code} is not among the errors it declares`);
      return true;
    });
  });

  it('keeps the API layer off the stores and free of `as never`', () => {
    const files = readdirSync(API_DIR, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    assert.ok(files.includes(join('operations', 'catalogue.ts')), `read ${API_DIR}`);
    for (const file of files) {
      const text = readFileSync(join(API_DIR, file), 'utf8');
      assert.ok(!text.includes('as never'), `${file} casts with "as never"`);
      const storeImports = [...text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(?:\.\.\/)+store\/[^']+'/g)];
      assert.equal(storeImports.length, text.match(/from\s+'(?:\.\.\/)+store\//g)?.length ?? 0, `${file} imports from core/src/store in a way this test does not read`);
      const names = storeImports.flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
      // The validators check ids, cursors and states against the patterns and lists the stores define.
      const allowed = file === 'schemas.ts' ? /^[A-Z_]+(_STATES|_STATUSES|_KINDS|_PATTERN)$/ : /^$/;
      assert.deepEqual(names.filter((name) => !allowed.test(name)), [], `${file} imports from core/src/store`);
    }
  });
});
