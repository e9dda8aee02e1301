import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { connectSqlite } from '../src/store/database.ts';
import { startServer, type RunningServer } from '../src/start-server.ts';
import { makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

/** With the webhooks feature switched off, its routes answer 404 FORGE_FEATURE_DISABLED and nothing is delivered. */
describe('webhooks behind their feature flag', () => {
  let home: ReturnType<typeof tempDir>;
  let running: RunningServer | null = null;
  let receiver: WebhookReceiver;

  before(async () => {
    home = tempDir('forge-webhook-flag-');
    receiver = await startWebhookReceiver();
  });

  after(async () => {
    await running?.stop();
    await receiver?.close();
    home?.cleanup();
  });

  const forgeHome = () => join(home.path, 'home');
  const start = async (env: Record<string, string>) => {
    running = await startServer(loadConfig({ FORGE_HOME: forgeHome(), FORGE_PORT: '0', FORGE_LOG_LEVEL: 'silent', FORGE_VALIDATE_RESPONSES: '1', FORGE_WEBHOOK_ALLOWED_TARGETS: '127.0.0.1', ...env }));
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${running!.url}/api/v1${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  };
  async function waitFor<T>(check: () => Promise<T | false | undefined>): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('condition not met within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('answers 404 on every webhook route and delivers nothing while off; on again, it catches up from where it stopped', async () => {
    await start({});
    const webhook = (await call('POST', '/webhooks', { url: receiver.url, eventTypes: ['task.created'] })).body;
    const project = (await call('POST', '/projects', { name: 'app', repoPath: makeRepo(join(home.path, 'repo')) })).body;
    const before = (await call('POST', '/tasks', { projectId: project.id, title: 'while on' })).body;
    await waitFor(async () => receiver.received.some((r) => r.body.event.subject === before.id));
    const [delivery] = (await call('GET', `/webhooks/${webhook.id}/deliveries`)).body.items;
    await running!.stop();

    await start({ FORGE_FEATURES: 'webhooks=off' });
    const feature = (await call('GET', '/features')).body.items.find((f: { name: string }) => f.name === 'webhooks');
    assert.equal(feature.enabled, false);
    const deliveryPath = `/webhooks/${webhook.id}/deliveries/${delivery.id}`;
    const routes: [string, string, unknown?][] = [
      ['POST', '/webhooks', { url: receiver.url, eventTypes: ['*'] }],
      ['GET', '/webhooks'],
      ['GET', `/webhooks/${webhook.id}`],
      ['PATCH', `/webhooks/${webhook.id}`, { description: 'x' }],
      ['DELETE', `/webhooks/${webhook.id}`],
      ['GET', `/webhooks/${webhook.id}/deliveries`],
      ['GET', deliveryPath],
      ['POST', `${deliveryPath}/redeliver`],
      // Said before the input is looked at: fixing a body would not help.
      ['POST', '/webhooks', { url: 'x', eventTypes: 'nope' }],
      ['GET', '/webhooks/not-an-id'],
    ];
    for (const [method, path, body] of routes) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.body.error.code, 'FORGE_FEATURE_DISABLED');
      assert.match(answer.body.error.message, /FORGE_FEATURES="webhooks=on"/);
    }
    const during = (await call('POST', '/tasks', { projectId: project.id, title: 'while off' })).body;
    const newest = Number(running!.forge.events.latestId);
    // A stop waits for the fan-out under way: had it run, the event's delivery would be stored by now.
    await running!.stop();
    running = null;
    const db = connectSqlite(join(forgeHome(), 'forge.sqlite'));
    try {
      assert.equal((await db('webhook_deliveries').count({ n: '*' }).first())!.n, 1, 'no delivery made while off');
      assert.ok(((await db('webhook_dispatch').first()) as { event_cursor: number }).event_cursor < newest, 'the fan-out did not move');
    } finally {
      await db.destroy();
    }
    assert.ok(!receiver.received.some((r) => r.body.event.subject === during.id));
    assert.equal(receiver.received.length, 1);

    await start({});
    const caughtUp = await waitFor(async () => receiver.received.find((r) => r.body.event.subject === during.id));
    assert.equal(caughtUp.body.event.type, 'task.created');
    assert.equal(receiver.received.length, 2);
  });
});
