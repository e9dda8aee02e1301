import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';

/** A listing over real HTTP from 127.0.0.1, asking for gzip. */
function listOverLoopback(setup: ServerWithProject): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${setup.server.url}/api/v1/tasks?projectId=${setup.projectId}&limit=100`, { headers: { 'accept-encoding': 'gzip, deflate' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function addTasks(setup: ServerWithProject): Promise<void> {
  for (let i = 0; i < 40; i++) await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title: `Task ${i}`, description: 'x'.repeat(200) });
}

describe('compression and loopback', () => {
  let setup: ServerWithProject;

  before(async () => {
    setup = await startServerWithProject();
    await addTasks(setup);
  });

  after(() => setup.close());

  it('answers a client on this machine uncompressed, even when it asks for gzip', async () => {
    const { headers, body } = await listOverLoopback(setup);
    assert.equal(headers['content-encoding'], undefined);
    assert.equal(JSON.parse(body.toString('utf8')).items.length, 40);
  });

  it('gzips for loopback too with FORGE_COMPRESS_LOOPBACK=1 (an SSH tunnel, a proxy that does not compress)', async () => {
    const compressing = await startServerWithProject({ env: { FORGE_COMPRESS_LOOPBACK: '1' } });
    try {
      await addTasks(compressing);
      const { headers, body } = await listOverLoopback(compressing);
      assert.equal(headers['content-encoding'], 'gzip');
      assert.equal(JSON.parse(gunzipSync(body).toString('utf8')).items.length, 40);
    } finally {
      await compressing.close();
    }
  });

  it('compresses for a client on another host that asks for gzip', async () => {
    const response = await setup.server.server.inject({
      method: 'GET',
      url: `/api/v1/tasks?projectId=${setup.projectId}&limit=100`,
      headers: { 'accept-encoding': 'gzip' },
      remoteAddress: '192.0.2.10',
    });
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(JSON.parse(gunzipSync(response.rawPayload).toString('utf8')).items.length, 40);
  });
});
