import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { startServer, type RunningServer } from '../src/start-server.ts';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

/** SSRF: webhooks reach no private, loopback or link-local address unless the configuration allows it. */
describe('webhook targets (SSRF)', () => {
  describe('on a server that allows none', () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer();
    });

    after(async () => {
      await server?.close();
    });

    it('refuses a subscription to loopback, private, link-local and metadata addresses, and to a name resolving to loopback', async () => {
      const targets = ['http://127.0.0.1:8080/hooks', 'http://10.20.30.40/hooks', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9000/', 'http://localhost:8080/hooks', 'https://192.168.1.10/'];
      for (const url of targets) {
        const { status, body } = await server.request('POST', '/webhooks', { url, eventTypes: ['*'] });
        assert.equal(status, 422, `${url}: ${JSON.stringify(body)}`);
        assert.equal(body.error.code, 'FORGE_WEBHOOK_TARGET_REFUSED', url);
        assert.match(body.error.message, /webhookAllowedTargets/, 'says how to allow it');
      }
      const named = (await server.request('POST', '/webhooks', { url: 'http://localhost:8080/', eventTypes: ['*'] })).body;
      assert.match(named.error.message, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
      assert.equal((await server.request('GET', '/webhooks')).body.items.length, 0, 'nothing was stored');
    });

    it('refuses the same targets when a subscription is changed to them', async () => {
      const created = await server.request('POST', '/webhooks', { url: 'https://93.184.216.34/hooks', eventTypes: ['task.*'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const changed = await server.request('PATCH', `/webhooks/${created.body.id}`, { url: 'http://169.254.169.254/' });
      assert.equal(changed.status, 422);
      assert.equal(changed.body.error.code, 'FORGE_WEBHOOK_TARGET_REFUSED');
      assert.equal((await server.request('GET', `/webhooks/${created.body.id}`)).body.url, 'https://93.184.216.34/hooks');
      assert.equal((await server.request('DELETE', `/webhooks/${created.body.id}`)).status, 204);
    });

    it('refuses other schemes and credentials in the URL as bad input', async () => {
      for (const url of ['ftp://93.184.216.34/', 'https://user:secret@93.184.216.34/']) {
        const { status, body } = await server.request('POST', '/webhooks', { url, eventTypes: ['*'] });
        assert.equal(status, 400, url);
        assert.equal(body.error.code, 'FORGE_VALIDATION_FAILED');
        assert.ok(!JSON.stringify(body).includes('secret@'), 'the credentials are not echoed');
      }
    });
  });

  describe('at delivery time', () => {
    let home: ReturnType<typeof tempDir>;
    let running: RunningServer | null = null;
    let receiver: WebhookReceiver;

    before(async () => {
      home = tempDir('forge-webhook-ssrf-');
      receiver = await startWebhookReceiver();
    });

    after(async () => {
      await running?.stop();
      await receiver?.close();
      home?.cleanup();
    });

    const start = async (env: Record<string, string>) => {
      running = await startServer(loadConfig({ FORGE_HOME: join(home.path, 'home'), FORGE_PORT: '0', FORGE_LOG_LEVEL: 'silent', FORGE_WEBHOOK_MAX_ATTEMPTS: '1', ...env }));
      return running;
    };
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${running!.url}/api/v1${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: response.status, body: (await response.json().catch(() => null)) as any };
    };

    it('checks the address a name resolves to before each delivery: a subscription allowed then is refused once the configuration no longer allows it', async () => {
      await start({ FORGE_WEBHOOK_ALLOWED_TARGETS: 'localhost' });
      const made = await call('POST', '/webhooks', { url: `http://localhost:${receiver.port}/hooks`, eventTypes: ['task.created'] });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const project = await call('POST', '/projects', { name: 'app', repoPath: makeRepo(join(home.path, 'repo')) });
      await running!.stop();

      await start({});
      await call('POST', '/tasks', { projectId: project.body.id, title: 'not for loopback' });
      const delivery = await waitFor(async () => {
        const items = (await call('GET', `/webhooks/${made.body.id}/deliveries`)).body.items;
        return items[0]?.state === 'failed' && items[0];
      });
      assert.equal(delivery.lastStatus, null);
      assert.match(delivery.lastError, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
      assert.equal(receiver.received.length, 0);
    });
  });
});

async function waitFor<T>(check: () => Promise<T | false | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
