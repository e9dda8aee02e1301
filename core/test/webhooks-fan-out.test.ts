import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { EventLog } from '../src/events/event-log.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { EventStore } from '../src/store/event-store.ts';
import { newId } from '../src/store/ids.ts';
import { WebhookDeliveryLifecycle } from '../src/lifecycle/webhook-delivery-lifecycle.ts';
import { WebhookDeliveryStore } from '../src/store/webhook-delivery-store.ts';
import { WebhookStore } from '../src/store/webhook-store.ts';
import { EventFanOut } from '../src/webhooks/fan-out.ts';
import { tempDir } from './support/temp-dir.ts';

/** The fan-out reads the event log by cursor: events become deliveries once, with the cursor, and a gap is recorded and passed. */
describe('webhook fan-out', () => {
  let dirs: ReturnType<typeof tempDir>;
  let db: Database;
  let events: EventLog;
  let webhooks: WebhookStore;
  let deliveries: WebhookDeliveryStore;
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push((({ msg, ...obj }) => ({ msg, obj }))(JSON.parse(line))) },
  );

  beforeEach(async () => {
    dirs = tempDir('forge-webhook-fan-out-');
    db = await openDatabase(join(dirs.path, 'forge.sqlite'));
    events = await EventLog.open(db, new EventStore(db), { maxAgeMs: 86_400_000, maxCount: 100 }, logger);
    webhooks = new WebhookStore(db);
    deliveries = new WebhookDeliveryStore(db);
    warnings.length = 0;
  });

  afterEach(async () => {
    await events.stop();
    await db.destroy();
    dirs.cleanup();
  });

  const subscribe = (eventTypes: string[], active = true) =>
    events.transact((tx) => {
      const id = newId();
      const at = new Date().toISOString();
      webhooks.insert(tx, { id, url: 'https://93.184.216.34/', eventTypes, sealedSecret: 'x', description: null, active, afterEvent: Number(events.latestId), createdAt: at, updatedAt: at });
      return id;
    });
  const emitTasks = (count: number, type: 'task.created' | 'attempt.updated' = 'task.created') =>
    events.transact((_tx, emit) => {
      for (let i = 0; i < count; i++) emit(type, newId(), { i });
    });
  const rows = () => db('webhook_deliveries').orderBy('id').select('webhook_id', 'event_id', 'event_type', 'body', 'state');
  const cursor = async () => (await deliveries.cursor('webhooks'))!;

  it('makes one delivery per event and matching active subscription made before it, with the cursor, and only once across restarts', async () => {
    await emitTasks(2);
    const fanOut = new EventFanOut(events, webhooks, deliveries, new WebhookDeliveryLifecycle(db), () => undefined, logger);
    await fanOut.start();
    const tasks = await subscribe(['task.*']);
    const attempts = await subscribe(['attempt.updated']);
    await subscribe(['*'], false);
    await emitTasks(3);
    await emitTasks(1, 'attempt.updated');
    await fanOut.wake();
    await fanOut.stop();

    const made = await rows();
    assert.deepEqual(made.map((r) => [r.webhook_id, r.event_type]), [...Array(3).fill([tasks, 'task.created']), [attempts, 'attempt.updated']]);
    assert.deepEqual(made.map((r) => JSON.parse(r.body).event.id), ['3', '4', '5', '6'], 'the events from before the subscriptions (1, 2) are not sent');
    assert.ok(made.every((r) => r.state === 'pending'));
    assert.equal((await cursor()).eventCursor, Number(events.latestId));

    // Started again, it goes on from its cursor: nothing is made twice.
    const again = new EventFanOut(events, webhooks, deliveries, new WebhookDeliveryLifecycle(db), () => undefined, logger);
    await again.start();
    await emitTasks(1);
    await again.wake();
    await again.stop();
    assert.equal((await rows()).length, 5);
  });

  it('records a gap when the events after its cursor were pruned, warns, and goes on from the newest', async () => {
    const fanOut = new EventFanOut(events, webhooks, deliveries, new WebhookDeliveryLifecycle(db), () => undefined, logger);
    await fanOut.start();
    await fanOut.stop();
    const id = await subscribe(['task.created']);
    await emitTasks(300);
    await events.prune();
    const newest = Number(events.latestId);

    const resumed = new EventFanOut(events, webhooks, deliveries, new WebhookDeliveryLifecycle(db), () => undefined, logger);
    await resumed.start();
    const { eventCursor, lastGapAt, lastGapReason } = await cursor();
    assert.equal(eventCursor, newest);
    assert.ok(lastGapAt);
    assert.match(lastGapReason!, /no longer kept/);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.msg, /gone from the event log/);
    assert.equal((await rows()).length, 0, 'no delivery of what was pruned, nor of what was kept before the newest');

    await emitTasks(1);
    await resumed.wake();
    await resumed.stop();
    const made = await rows();
    assert.deepEqual(made.map((r) => [r.webhook_id, JSON.parse(r.body).event.id]), [[id, String(newest + 1)]]);
  });

  it('leaves no delivery and the cursor where it was when the fan-out transaction fails', async () => {
    const fanOut = new EventFanOut(events, webhooks, deliveries, new WebhookDeliveryLifecycle(db), () => undefined, logger);
    await fanOut.start();
    await subscribe(['task.created']);
    const before = (await cursor()).eventCursor;
    // Another writer moved the cursor: the round must not commit its deliveries.
    await events.transact((tx) => deliveries.advanceCursor(tx, 'webhooks', before, before - 1));
    await emitTasks(2);
    await fanOut.wake();
    await fanOut.stop();
    assert.equal((await rows()).length, 0);
    assert.equal((await cursor()).eventCursor, before - 1);
    assert.ok(warnings.some((w) => /fan-out failed/.test(w.msg)));
  });
});
