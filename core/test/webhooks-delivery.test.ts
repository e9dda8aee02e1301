import assert from 'node:assert/strict';
import type { ForgeEvent } from '../src/events/event-log.ts';
import { startServerWithProject, type ServerWithProject } from './support/test-server.ts';
import { hasValidSignature, startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * Webhooks end to end on a real server: events from the log POSTed to a real receiver on
 * 127.0.0.1 (allowed by configuration), signed, retried, logged and redelivered.
 */
describe('webhook deliveries', () => {
  let app: ServerWithProject;
  const receivers: WebhookReceiver[] = [];
  const subscriptions: string[] = [];

  before(async () => {
    app = await startServerWithProject({
      env: { FORGE_WEBHOOK_ALLOWED_TARGETS: '127.0.0.1', FORGE_WEBHOOK_RETRY_BASE_MS: '50', FORGE_WEBHOOK_RETRY_MAX_MS: '400', FORGE_WEBHOOK_MAX_ATTEMPTS: '4' },
    });
  });

  after(async () => {
    await app?.close();
  });

  afterEach(async () => {
    for (const id of subscriptions.splice(0)) await app.server.request('DELETE', `/webhooks/${id}`);
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  async function receiver(respond?: WebhookReceiver['respond'], holdMs?: number): Promise<WebhookReceiver> {
    const started = await startWebhookReceiver(respond, holdMs);
    receivers.push(started);
    return started;
  }

  async function subscribe(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const { status, body: created } = await app.server.request('POST', '/webhooks', body);
    assert.equal(status, 201, JSON.stringify(created));
    subscriptions.push(created.id);
    return created;
  }

  const createTask = async (title: string): Promise<string> => (await app.server.request('POST', '/tasks', { projectId: app.projectId, title })).body.id;

  async function eventsAfter(cursor: string, family: string): Promise<ForgeEvent[]> {
    const read = await app.server.forge.events.readAfter(cursor, 10_000);
    assert.ok(Array.isArray(read));
    return read.filter((event) => event.type.startsWith(`${family}.`));
  }

  /** Waits until the fan-out has passed every event committed so far. */
  async function fannedOut(): Promise<void> {
    const newest = Number(app.server.forge.events.latestId);
    await app.server.waitFor(async () => ((await app.server.forge.stores.db('webhook_dispatch').where({ name: 'webhooks' }).first()) as { event_cursor: number }).event_cursor >= newest);
  }

  const deliveryLog = async (webhookId: string) => (await app.server.request('GET', `/webhooks/${webhookId}/deliveries?limit=1000`)).body.items as any[];

  /** The requests that reached the receiver, one per delivery id (the first that was answered 2xx). */
  function deduped(received: readonly ReceivedWebhook[]): ReceivedWebhook[] {
    const byDelivery = new Map<string, ReceivedWebhook>();
    for (const request of received) if (request.status < 300 && !byDelivery.has(request.body.id)) byDelivery.set(request.body.id, request);
    return [...byDelivery.values()];
  }

  it('gets every event once, after dedupe by delivery id, to a receiver that fails the first two deliveries; every signature valid', async () => {
    const target = await receiver((n) => (n < 2 ? 500 : 204));
    const { id, secret } = await subscribe({ url: target.url, eventTypes: ['task.*'] });
    const from = app.server.forge.events.latestId;
    const tasks = [];
    for (let i = 0; i < 4; i++) tasks.push(await createTask(`hooked ${i}`));
    await app.server.request('PATCH', `/tasks/${tasks[0]}`, { title: 'renamed' });
    await app.server.request('PATCH', `/tasks/${tasks[1]}`, { status: 'inprogress' });
    await app.server.request('DELETE', `/tasks/${tasks[3]}`);
    const expected = await eventsAfter(from, 'task');
    assert.ok(expected.length >= 7, `the task changes made events: ${expected.map((e) => e.type)}`);

    await app.server.waitFor(async () => deduped(target.received).length >= expected.length);
    const once = deduped(target.received);
    assert.deepEqual(once.map((r) => r.body.event.id).sort(), expected.map((e) => e.id).sort(), 'each event in exactly one delivery');
    assert.deepEqual(
      once.map((r) => r.body.event).sort((a, b) => Number(a.id) - Number(b.id)),
      expected.map(({ id: eventId, type, subject, ts, data }) => ({ id: eventId, type, subject, ts, data })),
      'the body carries the event as the log has it',
    );
    assert.equal(target.received.filter((r) => r.status === 500).length, 2);
    for (const request of target.received) {
      assert.ok(hasValidSignature(secret, request), `signature of ${request.body.id}`);
      assert.equal(request.headers['forge-webhook-id'], request.body.id);
      assert.equal(request.headers['forge-event'], request.body.event.type);
      assert.match(String(request.headers['user-agent']), /^ForgeCore-Webhooks\//);
      assert.match(String(request.headers['content-type']), /^application\/json/);
      assert.ok(Math.abs(Number(request.headers['forge-webhook-timestamp']) - request.receivedAt / 1000) < 60);
    }

    // The log: one row per event, newest first, each received, with the attempts the receiver saw.
    const log = await app.server.waitFor(async () => {
      const items = await deliveryLog(id);
      return items.every((d) => d.state === 'succeeded') && items;
    });
    assert.equal(log.length, expected.length);
    assert.deepEqual(log.map((d) => d.id), [...log.map((d) => d.id)].sort().reverse(), 'newest first');
    assert.equal(log.reduce((sum, d) => sum + d.attempts, 0), target.received.length);
    const retried = log.filter((d) => d.attempts > 1);
    assert.ok(retried.length >= 1 && retried.length <= 2, JSON.stringify(log));
    for (const delivery of log) {
      assert.equal(delivery.lastStatus, 204);
      assert.equal(delivery.lastError, null);
      assert.equal(delivery.nextAttemptAt, null);
      assert.equal(delivery.maxAttempts, 4);
      assert.ok(delivery.deliveredAt && delivery.durationMs >= 0);
    }
  });

  it('shows attempts and the last error in the log, and redelivers the same event under a new delivery id', async () => {
    const target = await receiver((n) => (n === 0 ? 503 : 200));
    const { id, secret } = await subscribe({ url: target.url, eventTypes: ['task.created'], description: 'ci' });
    await createTask('to redeliver');
    const [first] = await app.server.waitFor(async () => {
      const items = await deliveryLog(id);
      return items.length === 1 && items[0].state === 'succeeded' && items;
    });
    assert.equal(first.attempts, 2);
    const detail = (await app.server.request('GET', `/webhooks/${id}/deliveries/${first.id}`)).body;
    assert.equal(detail.payload.id, first.id);
    assert.equal(detail.payload.event.id, first.eventId);

    const { status, body: copy } = await app.server.request('POST', `/webhooks/${id}/deliveries/${first.id}/redeliver`);
    assert.equal(status, 202, JSON.stringify(copy));
    assert.notEqual(copy.id, first.id);
    assert.equal(copy.eventId, first.eventId);
    assert.equal(copy.redeliveryOf, first.id);
    assert.equal(copy.attempts, 0);
    const again = await app.server.waitFor(async () => target.received.find((r) => r.body.id === copy.id));
    assert.equal(again.body.event.id, first.eventId);
    assert.deepEqual(again.body.event, JSON.parse(target.received[0]!.raw).event);
    assert.ok(hasValidSignature(secret, again));
    const settled = await app.server.waitFor(async () => {
      const body = (await app.server.request('GET', `/webhooks/${id}/deliveries/${copy.id}`)).body;
      return body.state === 'succeeded' && body;
    });
    assert.equal(settled.attempts, 1);

    // A failed attempt as the log shows it.
    const failing = await receiver(() => 500);
    const broken = await subscribe({ url: failing.url, eventTypes: ['task.created'] });
    await createTask('never received');
    const [failed] = await app.server.waitFor(async () => {
      const items = await deliveryLog(broken.id);
      return items[0]?.state === 'failed' && items;
    });
    assert.equal(failed.attempts, 4);
    assert.equal(failed.lastStatus, 500);
    assert.equal(failed.lastError, 'answered 500');
    assert.equal(failing.received.length, 4);
    assert.equal((await app.server.request('GET', `/webhooks/${broken.id}/deliveries/${failed.id}`)).body.responseExcerpt, 'receiver says no');
    assert.equal((await app.server.request('GET', `/webhooks/${broken.id}/deliveries?state=failed`)).body.items.length, 1);
    assert.equal((await app.server.request('GET', `/webhooks/${broken.id}/deliveries?state=pending`)).body.items.length, 0);
  });

  it('sends one delivery at a time per subscription, in the order of its events, and several subscriptions at once', async () => {
    const slow = await receiver(undefined, 30);
    for (const name of ['a', 'b', 'c']) await subscribe({ url: `${slow.url}?subscription=${name}`, eventTypes: ['task.created'] });
    for (let i = 0; i < 5; i++) await createTask(`ordered ${i}`);
    await app.server.waitFor(async () => slow.received.length >= 15);
    assert.deepEqual([...slow.maxOpenByPath.values()], [1, 1, 1], 'never two at once for one subscription');
    const overlapping = slow.received.some((r, i) => slow.received.slice(i + 1).some((s) => s.path !== r.path && s.receivedAt < r.receivedAt + 30));
    assert.ok(overlapping, 'subscriptions are served side by side');
    for (const path of slow.maxOpenByPath.keys()) {
      const ids = slow.received.filter((r) => r.path === path).map((r) => Number(r.body.event.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `${path} got its events in order`);
    }
  });

  it('shows a secret once: in the answer that creates it, never in a later answer or an error', async () => {
    const target = await receiver();
    const given = 'my-own-secret-value-0123456789';
    const made = await subscribe({ url: target.url, eventTypes: ['*'], secret: given });
    assert.equal(made.secret, given);
    const generated = await subscribe({ url: target.url, eventTypes: ['approval.*'] });
    assert.match(generated.secret, /^whsec_[A-Za-z0-9_-]{43}$/);

    const answers = [
      await app.server.request('GET', '/webhooks'),
      await app.server.request('GET', `/webhooks/${made.id}`),
      await app.server.request('PATCH', `/webhooks/${made.id}`, { description: 'renamed' }),
      await app.server.request('PATCH', `/webhooks/${made.id}`, { secret: 'rotated-secret-value-0123456789' }),
      await app.server.request('POST', '/webhooks', { url: target.url, eventTypes: ['*'], secret: 'short' }),
      await app.server.request('POST', '/webhooks', { url: target.url, eventTypes: ['nope'], secret: given }),
    ];
    for (const answer of answers) {
      const text = JSON.stringify(answer.body);
      for (const secret of [given, generated.secret, 'rotated-secret-value-0123456789', 'short']) assert.ok(!text.includes(secret), `${text} shows a secret`);
      assert.ok(!/"secret"\s*:/.test(text), text);
    }
    assert.equal(answers[4]!.status, 400);
    assert.match(answers[4]!.body.error.message, /secret/);

    // The rotated secret signs what comes next.
    await createTask('signed with the new secret');
    const request = await app.server.waitFor(async () => target.received.find((r) => r.body.event.type === 'task.created'));
    assert.ok(hasValidSignature('rotated-secret-value-0123456789', request));
    assert.ok(!hasValidSignature(given, request));
  });

  it('does not follow a redirect: the attempt fails saying where it pointed, and the other host gets nothing', async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver(() => ({ status: 302, headers: { location: `http://10.0.0.1/hooks?via=${elsewhere.port}` } }));
    const { id } = await subscribe({ url: redirecting.url, eventTypes: ['task.created'] });
    await createTask('redirected');
    const [delivery] = await app.server.waitFor(async () => {
      const items = await deliveryLog(id);
      return items[0]?.state === 'failed' && items;
    });
    assert.equal(delivery.lastStatus, 302);
    assert.match(delivery.lastError, /redirect to http:\/\/10\.0\.0\.1\/hooks.*do not follow redirects/);
    assert.equal(redirecting.received.length, 4);
    assert.equal(elsewhere.received.length, 0);
  });

  it('fails the waiting deliveries of a subscription switched off, and makes no new ones for it', async () => {
    const target = await receiver(() => 500);
    const { id } = await subscribe({ url: target.url, eventTypes: ['task.*'] });
    await createTask('waiting');
    await app.server.waitFor(async () => target.received.length >= 1);
    assert.equal((await app.server.request('PATCH', `/webhooks/${id}`, { active: false })).body.active, false);
    const [stopped] = await app.server.waitFor(async () => {
      const items = await deliveryLog(id);
      return items[0]?.state === 'failed' && items;
    });
    assert.match(stopped.lastError, /switched off|answered 500/);
    const seen = target.received.length;
    await createTask('after switching off');
    await fannedOut();
    const redeliver = await app.server.request('POST', `/webhooks/${id}/deliveries/${stopped.id}/redeliver`);
    assert.equal(redeliver.status, 409);
    assert.equal(redeliver.body.error.code, 'FORGE_CONFLICT');
    assert.equal((await deliveryLog(id)).length, 1);
    assert.equal(target.received.length, seen);
  });
});
