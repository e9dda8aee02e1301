import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';
import { waitForProgress } from './support/wait-for-progress.ts';
import { hasValidSignature, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

/** Deliveries are rows in the database: a server killed with SIGKILL mid-retry delivers after its restart. */
describe('webhook deliveries across a crash', () => {
  let dirs: ReturnType<typeof tempDir>;
  let server: ServerProcess | null = null;
  let receiver: WebhookReceiver | null = null;

  beforeEach(() => {
    dirs = tempDir('forge-webhook-crash-');
  });

  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server!.child.kill('SIGKILL'), 5_000);
      await server.exited;
      clearTimeout(timer);
    }
    server = null;
    await receiver?.close();
    dirs.cleanup();
  });

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${server!.url}/api/v1${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  it('delivers a delivery that was waiting for its retry when the server was killed, once it is back', async function () {
    this.timeout(300_000);
    let receiving = false;
    receiver = await startWebhookReceiver(() => (receiving ? 204 : 500));
    const home = join(dirs.path, 'home');
    const port = await freePort();
    const env = { FORGE_WEBHOOK_ALLOWED_TARGETS: '127.0.0.1', FORGE_WEBHOOK_RETRY_BASE_MS: '400', FORGE_WEBHOOK_RETRY_MAX_MS: '2000', FORGE_WEBHOOK_MAX_ATTEMPTS: '100', FORGE_LOG_LEVEL: 'debug' };
    server = await startServerProcess(home, port, env);
    const secret = 'crash-test-secret-0123456789abcdef';
    const webhook = await api('POST', '/webhooks', { url: receiver.url, eventTypes: ['task.created'], secret });
    const project = await api('POST', '/projects', { name: 'app', repoPath: makeRepo(join(dirs.path, 'repo')) });
    const task = await api('POST', '/tasks', { projectId: project.id, title: 'survives a crash' });

    const progress = async () => JSON.stringify((await api('GET', `/webhooks/${webhook.id}/deliveries`).catch(() => null))?.items);
    const waiting = await waitForProgress({
      what: 'a delivery that failed and waits for its retry',
      progress,
      check: async () => {
        const [delivery] = (await api('GET', `/webhooks/${webhook.id}/deliveries`)).items;
        return delivery?.state === 'pending' && delivery.attempts >= 1 && Date.parse(delivery.nextAttemptAt) > Date.now() && delivery;
      },
    });
    server.child.kill('SIGKILL');
    await server.exited;
    const before = server.output();
    assert.equal(receiver.received.filter((r) => r.status === 204).length, 0, 'nothing was received before the crash');
    assert.ok(receiver.received.length >= 1);

    receiving = true;
    server = await startServerProcess(home, port, env);
    const delivered = await waitForProgress({
      what: 'the delivery to succeed after the restart',
      progress,
      check: async () => {
        const delivery = await api('GET', `/webhooks/${webhook.id}/deliveries/${waiting.id}`);
        return delivery.state === 'succeeded' && delivery;
      },
    });
    assert.ok(delivered.attempts > waiting.attempts, `${delivered.attempts} attempts after ${waiting.attempts}`);
    const received = receiver.received.filter((r) => r.status === 204);
    assert.equal(received.length, 1);
    assert.equal(received[0]!.body.id, waiting.id, 'the same delivery id across the crash');
    assert.equal(received[0]!.body.event.subject, task.id);
    for (const request of receiver.received) assert.ok(hasValidSignature(secret, request));
    assert.equal((await api('GET', `/webhooks/${webhook.id}/deliveries`)).items.length, 1, 'the restart made no second delivery of the event');

    // Debug-level logs of both runs never carry the secret.
    for (const output of [before, server.output()]) {
      assert.ok(output.length > 0, 'the server logged something');
      assert.ok(!output.includes(secret), 'a log line shows the secret');
    }
  });

  it('neither loses nor repeats an event when killed while fanning out and sending', async function () {
    this.timeout(300_000);
    receiver = await startWebhookReceiver();
    const home = join(dirs.path, 'home');
    const port = await freePort();
    const env = { FORGE_WEBHOOK_ALLOWED_TARGETS: '127.0.0.1', FORGE_WEBHOOK_RETRY_BASE_MS: '100' };
    server = await startServerProcess(home, port, env);
    const webhook = await api('POST', '/webhooks', { url: receiver.url, eventTypes: ['task.created'] });
    const project = await api('POST', '/projects', { name: 'app', repoPath: makeRepo(join(dirs.path, 'repo')) });

    // Tasks made ten at a time until the kill: it lands while events are being fanned out and sent.
    let stop = false;
    const creating = Array.from({ length: 10 }, async (_, client) => {
      for (let i = 0; !stop; i++) await api('POST', '/tasks', { projectId: project.id, title: `task ${client}.${i}` }).catch(() => (stop = true));
    });
    await waitForProgress({ what: 'deliveries under way', progress: async () => String(receiver!.received.length), check: async () => receiver!.received.length >= 30 });
    server.child.kill('SIGKILL');
    stop = true;
    await server.exited;
    await Promise.all(creating);

    server = await startServerProcess(home, port, env);
    const tasks: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const page: { items: { id: string }[]; nextCursor: string | null } = await api('GET', `/tasks?projectId=${project.id}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      tasks.push(...page.items.map((t) => t.id));
      if (!(cursor = page.nextCursor)) break;
    }
    const subjects = () => new Set(receiver!.received.map((r) => r.body.event.subject));
    await waitForProgress({ what: 'a delivery of every task made', progress: async () => String(receiver!.received.length), check: async () => tasks.every((id) => subjects().has(id)) });

    // Each event has exactly one delivery; a delivery may have reached the receiver twice (at-least-once), never with another event.
    const eventOf = new Map<string, string>();
    for (const request of receiver.received) {
      assert.equal(eventOf.get(request.body.id) ?? request.body.event.id, request.body.event.id);
      eventOf.set(request.body.id, request.body.event.id);
    }
    const events = [...eventOf.values()];
    assert.equal(new Set(events).size, events.length, 'one delivery per event');
    assert.equal(events.length, tasks.length, `${tasks.length} tasks, ${events.length} events delivered`);
    const log = await api('GET', `/webhooks/${webhook.id}/deliveries?limit=1000`);
    assert.equal(log.items.length, tasks.length);
    assert.equal(log.nextCursor, null);
  });
});
