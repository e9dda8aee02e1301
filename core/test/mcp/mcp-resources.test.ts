import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/client';
import type { AttemptWaiter } from '../../src/orchestrator/attempt-waiter.ts';
import { callOk, connectHttp, ERAS, type Era } from '../support/mcp-clients.ts';
import { startServerWithProject, type ServerWithProject } from '../support/test-server.ts';

/** Resources, their subscriptions, progress and cancellation, and 2025-era sessions, over HTTP. */
describe('MCP resources, subscriptions, progress and cancellation', function () {
  this.timeout(90_000);
  let setup: ServerWithProject;
  const clients: Client[] = [];
  const connect = async (era: Era, path?: string) => {
    const client = await connectHttp(setup.server.url, era, path ? { path } : {});
    clients.push(client);
    return client;
  };
  const newTask = async (title: string) => (await setup.server.request('POST', '/tasks', { projectId: setup.projectId, title })).body;

  before(async () => {
    setup = await startServerWithProject();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });
  after(async () => setup?.close());

  for (const era of ERAS) {
    it(`lists projects and the four resource templates, reads each kind, and says not found for the rest (${era})`, async () => {
      const client = await connect(era);
      const { resources } = await client.listResources();
      assert.deepEqual(resources.map((r) => r.uri), [`forge://projects/${setup.projectId}`]);
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), [
        'forge://attempts/{attemptId}',
        'forge://attempts/{attemptId}/log',
        'forge://projects/{projectId}',
        'forge://tasks/{taskId}',
      ]);
      const task = await newTask(`read me ${era}`);
      const attempt = await callOk(client, 'start_attempt', { taskId: task.id, executor: 'fake-agent' });
      await setup.server.waitForAttempt(attempt.id);
      const read = async (uri: string) => JSON.parse(((await client.readResource({ uri })).contents[0] as { text: string }).text);
      assert.equal((await read(`forge://projects/${setup.projectId}`)).id, setup.projectId);
      assert.equal((await read(`forge://tasks/${task.id}`)).title, `read me ${era}`);
      assert.equal((await read(`forge://attempts/${attempt.id}`)).state, 'succeeded');
      const log = await read(`forge://attempts/${attempt.id}/log`);
      assert.equal(log.state, 'succeeded');
      assert.ok(log.items.length > 0 && log.items.every((entry: any) => typeof entry.seq === 'number'));
      for (const uri of [`forge://tasks/01900000-0000-7000-8000-000000000000`, 'forge://tasks/not-an-id', 'forge://elsewhere/x', 'file:///etc/passwd']) {
        await assert.rejects(client.readResource({ uri }), /not found/i, uri);
      }
    });
  }

  for (const era of ERAS) {
    it(`offers the plan_work and review_attempt prompts, filled from the project and the attempt (${era})`, async () => {
      const client = await connect(era);
      assert.deepEqual((await client.listPrompts()).prompts.map((p) => p.name), ['plan_work', 'review_attempt']);
      const plan = await client.getPrompt({ name: 'plan_work', arguments: { projectId: setup.projectId, goal: 'add a changelog' } });
      assert.equal((plan.messages[0]!.content as any).resource.uri, `forge://projects/${setup.projectId}`);
      assert.match((plan.messages[1]!.content as any).text, /add a changelog[\s\S]*create_task/);

      const task = await newTask(`review me ${era}`);
      const attempt = await callOk(client, 'start_attempt', { taskId: task.id, executor: 'fake-agent', prompt: `write REVIEW-${era}.md looks fine` });
      await setup.server.waitForAttempt(attempt.id);
      const review = await client.getPrompt({ name: 'review_attempt', arguments: { attemptId: attempt.id } });
      const diff = (review.messages[1]!.content as any).resource;
      assert.equal(diff.mimeType, 'text/x-diff');
      assert.match(diff.text, new RegExp(`\\+\\+\\+ b/REVIEW-${era}\\.md`));

      await assert.rejects(client.getPrompt({ name: 'review_attempt', arguments: {} }), /needs attemptId/);
      await assert.rejects(client.getPrompt({ name: 'review_attempt', arguments: { attemptId: '01900000-0000-7000-8000-000000000000' } }), /not found/i);
      await assert.rejects(client.getPrompt({ name: 'no_such_prompt' }), /Unknown prompt/);
    });
  }

  it('delivers an attempt’s updates to a 2025-era session that subscribed to them, and nothing it did not subscribe to', async () => {
    const client = await connect('2025-11-25');
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      updated.push(notification.params.uri);
    });
    const task = await newTask('watched');
    const other = await newTask('not watched');
    await client.subscribeResource({ uri: `forge://tasks/${task.id}` });
    await assert.rejects(client.subscribeResource({ uri: 'forge://tasks/01900000-0000-7000-8000-000000000000' }), /not found/i);
    const attempt = await callOk(client, 'start_attempt', { taskId: task.id, executor: 'fake-agent' });
    await client.subscribeResource({ uri: `forge://attempts/${attempt.id}` });
    await client.subscribeResource({ uri: `forge://attempts/${attempt.id}/log` });
    await setup.server.request('PATCH', `/tasks/${other.id}`, { title: 'still not watched' });
    await setup.server.waitForAttempt(attempt.id);
    await setup.server.waitFor(async () => updated.includes(`forge://attempts/${attempt.id}/log`) && updated.includes(`forge://attempts/${attempt.id}`));
    assert.ok(updated.includes(`forge://tasks/${task.id}`), 'the task moved to inprogress');
    assert.ok(!updated.includes(`forge://tasks/${other.id}`), 'no update for what was not subscribed to');

    // However the client spells the URI, the update names it in its one form.
    const spelled = await newTask('spelled with percent-encoding');
    await client.subscribeResource({ uri: `forge://tasks/${spelled.id.replaceAll('-', '%2D')}` });
    await setup.server.request('PATCH', `/tasks/${spelled.id}`, { title: 'changed' });
    await setup.server.waitFor(async () => updated.includes(`forge://tasks/${spelled.id}`));

    await client.unsubscribeResource({ uri: `forge://tasks/${task.id}` });
    const before = updated.length;
    await setup.server.request('PATCH', `/tasks/${task.id}`, { title: 'after unsubscribing' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!updated.slice(before).includes(`forge://tasks/${task.id}`), 'no update after unsubscribing');
  });

  it('delivers an attempt’s updates through subscriptions/listen to a 2026-era client, for the URIs it listens to', async () => {
    const client = await connect('2026-07-28');
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      updated.push(notification.params.uri);
    });
    const task = await newTask('listened to');
    const other = await newTask('not listened to');
    const attempt = await callOk(client, 'start_attempt', { taskId: task.id, executor: 'fake-agent', options: { delayMs: 100 } });
    // The task spelled with percent-encoding: updates still come, under the URI's one form.
    const spelledTask = `forge://tasks/${task.id.replaceAll('-', '%2D')}`;
    const subscription = await client.listen({ resourceSubscriptions: [`forge://attempts/${attempt.id}`, `forge://attempts/${attempt.id}/log`, spelledTask] });
    try {
      await setup.server.request('PATCH', `/tasks/${other.id}`, { title: 'still not listened to' });
      await setup.server.waitForAttempt(attempt.id);
      await setup.server.waitFor(async () => updated.includes(`forge://attempts/${attempt.id}/log`) && updated.includes(`forge://attempts/${attempt.id}`));
      await setup.server.request('PATCH', `/tasks/${task.id}`, { description: 'seen through the listen stream' });
      await setup.server.waitFor(async () => updated.includes(`forge://tasks/${task.id}`));
      assert.ok(!updated.includes(`forge://tasks/${other.id}`));
    } finally {
      await subscription.close();
    }
  });

  for (const era of ERAS) {
    it(`reports progress while wait_for_attempt waits, and a cancelled wait ends on the server (${era})`, async () => {
      const client = await connect(era);
      const task = await newTask(`slow ${era}`);
      const attempt = await callOk(client, 'start_attempt', { taskId: task.id, executor: 'fake-agent', options: { delayMs: 150 } });
      const progress: { progress: number; message?: string }[] = [];
      const waited = await client.callTool(
        { name: 'wait_for_attempt', arguments: { attemptId: attempt.id, timeoutSeconds: 60 } },
        { onprogress: (update) => progress.push(update), resetTimeoutOnProgress: true },
      );
      assert.equal((waited.structuredContent as any).outcome, 'finished');
      assert.ok(progress.length > 0, 'progress notifications came while the agent worked');
      assert.ok(progress.every((p, i) => i === 0 || p.progress > progress[i - 1]!.progress), 'progress only grows');
      assert.match(progress[0]!.message ?? '', /attempt \w+/);

      // A wait that is cancelled must not stay on the server.
      const hanging = await newTask(`hangs ${era}`);
      const stuck = await callOk(client, 'start_attempt', { taskId: hanging.id, executor: 'fake-agent', options: { scenario: 'hang' } });
      const waiter = setup.server.forge.waiter;
      const settled: string[] = [];
      const wait = waiter.wait.bind(waiter);
      waiter.wait = ((id, options) =>
        wait(id, options).then(
          (value) => (settled.push('resolved'), value),
          (error) => (settled.push('rejected'), Promise.reject(error)),
        )) as AttemptWaiter['wait'];
      try {
        const controller = new AbortController();
        const call = client.callTool({ name: 'wait_for_attempt', arguments: { attemptId: stuck.id, timeoutSeconds: 600 } }, { signal: controller.signal });
        await new Promise((resolve) => setTimeout(resolve, 300));
        controller.abort();
        await assert.rejects(call);
        await setup.server.waitFor(async () => settled.length === 1, 10_000);
        assert.deepEqual(settled, ['rejected'], 'the server stopped waiting when the client cancelled');
      } finally {
        waiter.wait = wait;
        await setup.server.request('POST', `/attempts/${stuck.id}/stop`);
      }
    });
  }

  it('2025-era sessions: DELETE ends one, and a request with an unknown session id is told 404 with a JSON-RPC error', async () => {
    const client = await connect('2025-11-25');
    const transport = client.transport as unknown as { sessionId?: string; terminateSession(): Promise<void> };
    const sessionId = transport.sessionId!;
    assert.match(sessionId, /^[0-9a-f-]{36}$/);
    await transport.terminateSession();
    const response = await fetch(`${setup.server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as any).error.code, -32001);
  });

  it('2025-era sessions: the GET stream answers its headers at once, before any event', async () => {
    // By hand: the SDK client opens its own GET stream, and a session has one.
    const post = (body: object, sessionId?: string) =>
      fetch(`${setup.server.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...(sessionId && { 'mcp-session-id': sessionId }),
        },
        body: JSON.stringify(body),
      });
    const opened = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    const sessionId = opened.headers.get('mcp-session-id')!;
    await opened.text();
    assert.equal((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).status, 202);
    const response = await fetch(`${setup.server.url}/mcp`, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    });
    try {
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /^: open\n\n/, 'the stream opens with a comment, not after the first event');
      await reader.cancel();
    } finally {
      await response.body?.cancel().catch(() => undefined);
      await fetch(`${setup.server.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } });
    }
  });

  it('2025-era sessions: when the cap is reached, the session unused longest gives way to a new one (clients rarely DELETE theirs)', async () => {
    const capped = await startServerWithProject({ env: { FORGE_MCP_MAX_SESSIONS: '2' } });
    try {
      for (let i = 0; i < 4; i++) {
        const client = await connectHttp(capped.server.url, '2025-11-25');
        assert.ok((await callOk(client, 'list_projects')).items.length === 1, `client ${i}`);
        await client.close(); // no DELETE, as the SDK's close() does
      }
      // Two clients that keep their streams open fill it: a third is told to come back later.
      const kept = [await connectHttp(capped.server.url, '2025-11-25'), await connectHttp(capped.server.url, '2025-11-25')];
      try {
        await assert.rejects(connectHttp(capped.server.url, '2025-11-25'), /503|Too many MCP sessions/);
      } finally {
        await Promise.all(kept.map((client) => client.close()));
      }
    } finally {
      await capped.close();
    }
  });

  it('refuses a resources/list cursor it never gave out as invalid params', async () => {
    for (const era of ERAS) {
      const client = await connect(era);
      await assert.rejects(client.listResources({ cursor: 'eyJ4IjoxfQ' }), (error: { code?: number }) => error.code === -32602);
    }
  });

  it('answers a request that is not JSON with a JSON-RPC parse error, and keeps REST errors off /mcp', async () => {
    const response = await fetch(`${setup.server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{not json',
    });
    assert.ok(response.status >= 400 && response.status < 500, String(response.status));
    assert.equal(((await response.json()) as any).error.code, -32700);
    const form = await fetch(`${setup.server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(form.status, 415, 'a body that is not declared JSON is refused before MCP sees it (no CSRF from web pages)');
  });
});
