import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { WORKSPACE_ROOT } from '../support/workspace-root.ts';
import { makeRepo } from '../support/git-repo.ts';
import { callError, callOk, connectHttp, connectStdio, ERAS } from '../support/mcp-clients.ts';
import { freePort } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TOKEN = 'stdio-test-token-5e8d1f0a';

/** `forgecore mcp`: MCP over stdio, in both eras, with the server in its own process or through a running one. */
describe('forgecore mcp (stdio)', function () {
  this.timeout(120_000);
  const clients: Client[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  const dir = (prefix: string) => {
    const made = tempDir(prefix);
    dirs.push(made);
    return made.path;
  };
  afterEach(async () => {
    // Closing stdin stops `forgecore mcp`, and with it a server it started.
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });
  after(() => {
    for (const made of dirs.splice(0)) made.cleanup();
  });

  for (const era of ERAS) {
    it(`starts the server in its own process when none runs, and an HTTP client of that server sees the same state (${era})`, async () => {
      const home = dir('forge-mcp-home-');
      const port = await freePort();
      const { client: stdio } = await connectStdio({ FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn' }, era);
      clients.push(stdio);
      assert.equal(existsSync(join(home, 'server.pid')), false, 'the handshake alone starts nothing');
      const project = await callOk(stdio, 'create_project', { name: 'app', repoPath: makeRepo(join(dir('forge-mcp-repo-'), 'app')) });
      const viaStdio = await callOk(stdio, 'create_task', { projectId: project.id, title: 'made over stdio' });
      assert.ok(existsSync(join(home, 'server.pid')), 'the process holds FORGE_HOME while its server runs');

      const http = await connectHttp(`http://127.0.0.1:${port}`, era);
      clients.push(http);
      const seen = await callOk(http, 'list_tasks', { projectId: project.id });
      assert.deepEqual(seen.items.map((t: any) => t.id), [viaStdio.id]);
      const viaHttp = await callOk(http, 'create_task', { projectId: project.id, title: 'made over HTTP' });
      assert.deepEqual((await callOk(stdio, 'list_tasks', { projectId: project.id })).items.map((t: any) => t.id), [viaStdio.id, viaHttp.id]);

      // A second server on the same FORGE_HOME is refused: two processes never share a database.
      const second = spawnSync(process.execPath, [join(WORKSPACE_ROOT, 'core', 'bin', 'forge.js'), 'serve', '--port', '0'], {
        env: { ...process.env, FORGE_HOME: home, FORGE_LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(second.status, 2, second.stderr);
      assert.match(second.stderr, /Another Forge Core process \(pid \d+, forgecore mcp/);

      await stdio.close();
      await waitUntil(() => !existsSync(join(home, 'server.pid')));
    });
  }

  it('when the server it worked through goes away, says so once, then starts one of its own at the next call', async () => {
    const port = await freePort();
    const first = await startTestServer({ FORGE_PORT: String(port) });
    const home = dir('forge-mcp-client-home-');
    try {
      const { client } = await connectStdio({ FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn' }, '2025-11-25');
      clients.push(client);
      await callOk(client, 'create_project', { name: 'on the first server', repoPath: makeRepo(join(dir('forge-mcp-repo-'), 'app')) });
      await first.close();
      assert.match((await callError(client, 'list_projects')).message, /did not answer/);
      assert.deepEqual((await callOk(client, 'list_projects')).items, [], 'its own server, on its own FORGE_HOME');
      assert.ok(existsSync(join(home, 'server.pid')));
    } finally {
      await first.close().catch(() => undefined);
    }
  });

  describe('through a running server', () => {
    let server: TestServer;
    let port: number;
    before(async () => {
      port = await freePort();
      server = await startTestServer({ FORGE_PORT: String(port), FORGE_API_TOKEN: TOKEN });
    });
    after(async () => server?.close());

    for (const era of ERAS) {
      it(`works through the server's REST API, never opening a database of its own, and passes on its changes (${era})`, async () => {
        const home = dir('forge-mcp-client-home-');
        const { client } = await connectStdio({ FORGE_HOME: home, FORGE_PORT: String(port), FORGE_API_TOKEN: TOKEN, FORGE_LOG_LEVEL: 'warn' }, era);
        clients.push(client);
        const project = await callOk(client, 'create_project', { name: `remote ${era}`, repoPath: makeRepo(join(dir('forge-mcp-repo-'), 'app')) });
        const task = await callOk(client, 'create_task', { projectId: project.id, title: 'made through the running server' });
        const rest = await server.request('GET', `/tasks/${task.id}`, undefined, { authorization: `Bearer ${TOKEN}` });
        assert.equal(rest.body.title, 'made through the running server');
        assert.equal((await callError(client, 'get_task', { taskId: '01900000-0000-7000-8000-000000000000' })).code, 'FORGE_NOT_FOUND');
        assert.equal(existsSync(join(home, 'forge.sqlite')) || existsSync(join(home, 'server.pid')), false, 'no database or lock of its own');

        const updated: string[] = [];
        client.setNotificationHandler('notifications/resources/updated', (notification) => {
          updated.push(notification.params.uri);
        });
        const uri = `forge://tasks/${task.id}`;
        const subscription =
          era === '2025-11-25' ? (await client.subscribeResource({ uri }), null) : await client.listen({ resourceSubscriptions: [uri] });
        try {
          // The change feed attaches in the background: change the task until the update comes through.
          await waitUntil(async () => {
            await server.request('PATCH', `/tasks/${task.id}`, { description: `changed ${Date.now()}` }, { authorization: `Bearer ${TOKEN}` });
            await new Promise((resolve) => setTimeout(resolve, 200));
            return updated.includes(uri);
          });
        } finally {
          await subscription?.close();
        }
      });
    }

    it('says at the first call that the server needs its token, when it was not given one', async () => {
      const { client } = await connectStdio({ FORGE_HOME: dir('forge-mcp-client-home-'), FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn' }, '2025-11-25');
      clients.push(client);
      const error = await callError(client, 'list_projects');
      assert.equal(error.code, 'FORGE_UNAUTHORIZED');
      assert.match(error.message, /FORGE_API_TOKEN/);
    });
  });
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
