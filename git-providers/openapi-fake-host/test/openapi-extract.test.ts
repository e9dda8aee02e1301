import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeHost } from '../src/index.ts';
import { extractOperations, type ExtractProvenance } from '../src/openapi-extract.ts';
import type { JsonObject } from '../src/openapi-objects.ts';

const SPEC_FILE = fileURLToPath(new URL('./fixtures/tiny-host.openapi.json', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../src/extract-openapi.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const PROVENANCE: ExtractProvenance = { source: 'tiny-host@1.0.0', file: 'package/tiny-host.json', date: '2025-01-02' };
const CREATE = 'POST /repos/{owner}/{repo}/pulls';
const GET_ONE = 'GET /repos/{owner}/{repo}/pulls/{number}';

const spec = (): JsonObject => JSON.parse(readFileSync(SPEC_FILE, 'utf8'));
const serialize = (document: JsonObject) => `${JSON.stringify(document, null, 2)}\n`;
const at = (document: JsonObject, ...keys: string[]): any => keys.reduce<any>((value, key) => value?.[key], document);

/** The same document with every object's keys in reverse order. */
const reversedKeys = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(reversedKeys) : typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reversedKeys(item)])) : value;

describe('openapi extract', () => {
  it('keeps only the listed operations, with their path-level parameters', () => {
    const extract = extractOperations(spec(), [CREATE], PROVENANCE);
    assert.deepEqual(Object.keys(extract['paths'] as object), ['/repos/{owner}/{repo}/pulls']);
    assert.deepEqual(Object.keys(at(extract, 'paths', '/repos/{owner}/{repo}/pulls')), ['parameters', 'post']);
    assert.deepEqual(at(extract, 'paths', '/repos/{owner}/{repo}/pulls', 'parameters'), [{ $ref: '#/components/parameters/owner' }, { $ref: '#/components/parameters/repo' }]);
  });

  it('brings every component the operations reach through $ref, however deep, and nothing else', () => {
    const extract = extractOperations(spec(), [CREATE, GET_ONE], PROVENANCE);
    const names = (section: string) => Object.keys(at(extract, 'components', section) ?? {});
    // PullRequest → Branch → Repository (which refers to itself), → Label, → User or Team; ValidationFailed → ValidationError → Error, FieldError.
    assert.deepEqual(names('schemas'), ['Branch', 'Error', 'FieldError', 'Label', 'NewPullRequest', 'PullRequest', 'Repository', 'Team', 'User', 'ValidationError']);
    assert.deepEqual(names('parameters'), ['number', 'owner', 'repo']);
    assert.deepEqual(names('responses'), ['NotFound', 'ValidationFailed']);
    assert.deepEqual(names('headers'), ['x-rate-limit']);
    assert.deepEqual(names('examples'), [], 'example payloads are dropped, and with them the components they referred to');
  });

  it('drops vendor extensions and example payloads, but not names that look like them', () => {
    const extract = extractOperations(spec(), [CREATE, 'GET /repos/{owner}/{repo}/pulls'], PROVENANCE);
    const list = at(extract, 'paths', '/repos/{owner}/{repo}/pulls', 'get');
    assert.equal(list['x-vendor'], undefined);
    assert.equal(at(extract, 'components', 'schemas', 'PullRequest', 'x-vendor-go-name'), undefined);
    assert.ok(at(extract, 'components', 'schemas', 'PullRequest', 'properties', 'x-trace'), 'a property named x-trace stays');
    assert.ok(at(extract, 'components', 'headers', 'x-rate-limit'), 'a component named x-rate-limit stays');
    assert.equal(at(extract, 'components', 'parameters', 'owner', 'example'), undefined);
    assert.equal(at(extract, 'paths', '/repos/{owner}/{repo}/pulls', 'post', 'responses', '201', 'content', 'application/json', 'examples'), undefined);
    assert.equal(at(extract, 'components', 'schemas', 'Branch', 'properties', 'sha', 'example'), '6dcb09b5b57875f334f61aebed695e2e4193db5e', 'schema examples stay');
  });

  it('keeps openapi, info with where the extract came from, servers, and the security schemes in use', () => {
    const extract = extractOperations(spec(), [CREATE], PROVENANCE);
    assert.deepEqual(Object.keys(extract), ['openapi', 'info', 'servers', 'security', 'paths', 'components']);
    assert.equal(extract['openapi'], '3.0.3');
    assert.equal(at(extract, 'info', 'x-vendor-plan'), 'test');
    assert.deepEqual(at(extract, 'info', 'x-extracted-from'), { source: 'tiny-host@1.0.0', file: 'package/tiny-host.json', operations: [CREATE], date: '2025-01-02' });
    assert.deepEqual(extract['servers'], [{ url: 'https://git.example.test/api/v1' }]);
    assert.deepEqual(Object.keys(at(extract, 'components', 'securitySchemes')), ['queryToken', 'token']);
    assert.equal(extract['tags'], undefined);
  });

  it('names every operation it cannot extract, with what the spec has nearby', () => {
    const asked = ['DELETE /repos/{owner}/{repo}/pulls', 'GET /repos/{owner}/{repo}/pulls/{id}', 'GET /nowhere', 'pulls', CREATE];
    assert.throws(
      () => extractOperations(spec(), asked, PROVENANCE),
      (error: Error) => {
        assert.equal(
          error.message,
          [
            '4 of the 5 operations cannot be extracted:',
            '  - DELETE /repos/{owner}/{repo}/pulls: the spec has this path only with GET, POST',
            '  - GET /repos/{owner}/{repo}/pulls/{id}: not in the spec; it has /repos/{owner}/{repo}/pulls/{number}',
            '  - GET /nowhere: not in the spec',
            '  - "pulls" is not "METHOD /path/template"',
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('refuses a reference that points at nothing, or outside the components', () => {
    const broken = spec();
    at(broken, 'components', 'schemas', 'Branch', 'properties').repo = { $ref: '#/components/schemas/Missing' };
    at(broken, 'components', 'schemas', 'Label', 'properties').name = { $ref: 'https://example.test/label.json' };
    assert.throws(
      () => extractOperations(broken, [CREATE], PROVENANCE),
      (error: Error) => {
        assert.match(error.message, /^the extract would not be self-contained:\n/);
        assert.match(error.message, /\n {2}- #\/components\/schemas\/Missing: points at nothing in the source(\n|$)/);
        assert.match(error.message, /\n {2}- https:\/\/example\.test\/label\.json: only references into this document's components are followed(\n|$)/);
        return true;
      },
    );
  });

  it('writes the same bytes for the same operations, whatever the key order of the source', () => {
    const first = serialize(extractOperations(spec(), [CREATE, GET_ONE], PROVENANCE));
    assert.equal(serialize(extractOperations(spec(), [CREATE, GET_ONE], PROVENANCE)), first);
    assert.equal(serialize(extractOperations(reversedKeys(spec()) as JsonObject, [CREATE, GET_ONE], PROVENANCE)), first);
    const schemaKeys = Object.keys(at(JSON.parse(first), 'components', 'schemas', 'PullRequest', 'properties'));
    assert.deepEqual(schemaKeys, [...schemaKeys].sort());
  });

  it('is a document the fake host serves and samples from', async () => {
    const host = await startFakeHost({ spec: extractOperations(spec(), [CREATE], PROVENANCE), label: 'extract', handlers: { createPull: (_request, fake) => ({ status: 201, body: fake.sample('createPull') }) } });
    try {
      const response = await fetch(`${host.url}/repos/o/r/pulls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'T', head: 'h', base: 'main' }) });
      assert.equal(response.status, 201);
      host.assertClean();
    } finally {
      await host.close();
    }
  });

  describe('the extract-openapi script', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'extract-openapi-test-'));
      writeFileSync(path.join(dir, 'vendor.json'), readFileSync(SPEC_FILE));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const runScript = async (config: unknown) => {
      const configFile = path.join(dir, 'extract.config.json');
      writeFileSync(configFile, JSON.stringify(config));
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, configFile], { cwd: PACKAGE_DIR, timeout: 50_000 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout: string; stderr: string };
        return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
      }
    };

    it('writes the extract beside its config, and leaves it byte for byte alone when nothing changed', async () => {
      const config = { source: { path: 'vendor.json' }, operations: [CREATE], output: 'tiny.extract.json' };
      const first = await runScript(config);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /tiny\.extract\.json: wrote \d+ bytes \(1 operations, \d+ components, from vendor\.json\)/);
      const output = path.join(dir, 'tiny.extract.json');
      const written = JSON.parse(readFileSync(output, 'utf8'));
      assert.deepEqual(Object.keys(written.paths), ['/repos/{owner}/{repo}/pulls']);
      assert.equal(written.info['x-extracted-from'].source, 'vendor.json');
      assert.match(written.info['x-extracted-from'].date, /^\d{4}-\d{2}-\d{2}$/);
      // An extract made on another day, from the same source and operations.
      written.info['x-extracted-from'].date = '2000-01-01';
      const earlier = serialize(written);
      writeFileSync(output, earlier);
      const second = await runScript(config);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /tiny\.extract\.json: unchanged/);
      assert.equal(readFileSync(output, 'utf8'), earlier);
    });

    it('exits 1 naming what is wrong with the config, or the operations the spec lacks', async () => {
      const badConfig = await runScript({ source: { npm: 'tiny-host@1.0.0' }, operations: [], outptu: 'x.json' });
      assert.equal(badConfig.code, 1);
      assert.match(badConfig.stderr, /unknown field "outptu"/);
      assert.match(badConfig.stderr, /"source" must be/);
      assert.match(badConfig.stderr, /"operations" must list/);
      assert.match(badConfig.stderr, /"output" must name the file/);
      const missing = await runScript({ source: { path: 'vendor.json' }, operations: ['GET /nowhere'], output: 'x.json' });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /GET \/nowhere: not in the spec/);
    });
  });
});
