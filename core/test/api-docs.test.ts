import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const TOKEN = 'docs-test-token-0123456789';

/** Issue 14, part 4: the contract served where the server runs, and a page to try it, with token auth. */
describe('the API documented where it runs', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ FORGE_API_TOKEN: TOKEN });
  });

  after(async () => {
    await server.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  it('serves GET /api/v1/openapi.json, the same document as spec/openapi.json, with no token needed', async () => {
    const response = await get('/api/v1/openapi.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const committed = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'spec', 'openapi.json'), 'utf8'));
    assert.deepEqual(await response.json(), committed);
  });

  it('serves a browsable page and its files from the installed package, no CDN, with no token needed', async () => {
    const page = await get('/api/v1/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(sources.length >= 4, html);
    for (const source of sources) {
      assert.match(source, /^\/api\/v1\/docs\//, `${source} is served here, not from a CDN`);
      const file = await get(source);
      assert.equal(file.status, 200, source);
      assert.ok((await file.arrayBuffer()).byteLength > 0, source);
    }
    assert.match(await (await get('/api/v1/docs/start.js')).text(), /url: "\/api\/v1\/openapi\.json"/);
  });

  it('keeps every other route behind the token, which the page sends once given (the spec declares it)', async () => {
    assert.equal((await get('/api/v1/tasks')).status, 401);
    assert.equal((await get('/api/v1/tasks', { authorization: `Bearer ${TOKEN}` })).status, 200);
    const spec = (await (await get('/api/v1/openapi.json')).json()) as any;
    assert.equal(spec.components.securitySchemes.bearer.scheme, 'bearer');
    // Applied to the operations (a tool sends the token only where a scheme is named), and optional.
    assert.deepEqual(spec.security, [{ bearer: [] }, {}]);
  });

  it('names its own origin as the server, so the page tries routes where it was opened', async () => {
    const spec = (await (await get('/api/v1/openapi.json')).json()) as any;
    assert.deepEqual(
      spec.servers.map((s: { url: string }) => s.url),
      ['/'],
    );
    assert.ok(Object.keys(spec.paths).every((path) => path.startsWith('/api/v1/')));
  });

  it('refuses a file it does not serve, and input it does not take', async () => {
    for (const path of ['/api/v1/docs/index.html', '/api/v1/docs/..%2Fpackage.json', '/api/v1/docs/swagger-ui-bundle.js.map']) {
      const response = await get(path);
      assert.equal(response.status, 400, path);
      assert.equal(((await response.json()) as any).error.code, 'FORGE_VALIDATION_FAILED');
    }
    assert.equal((await get('/api/v1/openapi.json?x=1')).status, 400);
  });
});
