import assert from 'node:assert/strict';
import http from 'node:http';
import { ForgeError } from '@forge-core/sdk';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { retryDelayMs } from '../src/webhooks/backoff.ts';
import { deliveryBody, redeliveryBody } from '../src/webhooks/delivery-body.ts';
import { INTERRUPTED, WebhookSender } from '../src/webhooks/sender.ts';
import { matchesEventTypes, WEBHOOK_EVENT_PATTERNS, WEBHOOK_EVENT_TYPES } from '../src/webhooks/event-patterns.ts';
import { signWebhook } from '../src/webhooks/signature.ts';
import { verifyWebhook } from './support/verify-webhook.ts';
import { isAllowedTargetEntry, refusedKind, TargetGuard } from '../src/webhooks/target-guard.ts';
import { tempDir } from './support/temp-dir.ts';

const refusedCode = (code: string) => (error: unknown) => {
  assert.ok(error instanceof ForgeError, String(error));
  assert.equal(error.code, code, error.message);
  return true;
};

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret-0123456789';
  const body = '{"id":"d1","event":{"id":"7"}}';

  it('verifies a signature over the timestamp and the raw body, and nothing altered', () => {
    const timestamp = 1_800_000_000;
    const signature = signWebhook(secret, timestamp, body);
    assert.match(signature, /^v1=[0-9a-f]{64}$/);
    const headers = { timestamp: String(timestamp), signature };
    assert.equal(verifyWebhook(secret, headers, body, { nowSeconds: timestamp }), true);
    assert.equal(verifyWebhook('another secret of some length', headers, body, { nowSeconds: timestamp }), false);
    assert.equal(verifyWebhook(secret, headers, body.replace('d1', 'd2'), { nowSeconds: timestamp }), false);
    assert.equal(verifyWebhook(secret, { ...headers, timestamp: String(timestamp + 1) }, body, { nowSeconds: timestamp }), false);
    assert.equal(verifyWebhook(secret, headers, body, { nowSeconds: timestamp + 301 }), false, 'an old timestamp is refused');
    assert.equal(verifyWebhook(secret, { ...headers, signature: `v1=00, ${signature}` }, body, { nowSeconds: timestamp }), true, 'one of several signatures');
  });
});

describe('webhook retry backoff', () => {
  const schedule = { baseMs: 1_000, maxMs: 3_600_000, maxAttempts: 12 };

  it('waits between zero and a ceiling that doubles from the base up to the cap (full jitter)', () => {
    assert.equal(retryDelayMs(1, schedule, () => 0), 0);
    assert.equal(retryDelayMs(1, schedule, () => 0.999_999), 999);
    assert.equal(retryDelayMs(2, schedule, () => 0.999_999), 1_999);
    assert.equal(retryDelayMs(5, schedule, () => 0.5), 8_000);
    assert.equal(retryDelayMs(13, schedule, () => 0.999_999), 3_599_996);
    assert.equal(retryDelayMs(500, schedule, () => 0.5), 1_800_000, 'a huge attempt count stays at the cap');
  });
});

describe('webhook event patterns', () => {
  it('offers the task, attempt, approval and pull request events, by type, family or all', () => {
    assert.ok(WEBHOOK_EVENT_TYPES.includes('task.created') && WEBHOOK_EVENT_TYPES.includes('pull_request.opened'));
    assert.ok(!WEBHOOK_EVENT_TYPES.some((type) => type.startsWith('project.') || type.startsWith('executor_profile.')));
    assert.ok(WEBHOOK_EVENT_PATTERNS.includes('*') && WEBHOOK_EVENT_PATTERNS.includes('approval.*'));
    assert.equal(matchesEventTypes(['*'], 'attempt.updated'), true);
    assert.equal(matchesEventTypes(['task.*'], 'task.deleted'), true);
    assert.equal(matchesEventTypes(['task.*'], 'attempt.updated'), false);
    assert.equal(matchesEventTypes(['attempt.updated'], 'attempt.updated'), true);
    assert.equal(matchesEventTypes(['attempt.updated'], 'attempt.created'), false);
    assert.equal(matchesEventTypes(['*'], 'project.created'), false, 'outside the families webhooks carry');
  });
});

describe('webhook delivery body', () => {
  it('is {id, event}, and a redelivery keeps the event under its own id', () => {
    const event = { id: '42', type: 'task.created' as const, subject: 's', ts: '2026-01-01T00:00:00.000Z', data: { title: 'x' } };
    const body = deliveryBody('d-1', event);
    assert.deepEqual(JSON.parse(body), { id: 'd-1', event });
    assert.deepEqual(JSON.parse(redeliveryBody('d-2', body)), { id: 'd-2', event });
  });
});

describe('webhook target guard (SSRF)', () => {
  const closed = new TargetGuard({ allowPrivateTargets: false, allowedTargets: [] });

  it('names every refused range, IPv4-mapped addresses included, and lets public addresses through', () => {
    const refused = ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'];
    for (const address of refused) assert.notEqual(refusedKind(address), null, address);
    for (const address of ['93.184.216.34', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111']) assert.equal(refusedKind(address), null, address);
    assert.match(refusedKind('169.254.169.254')!, /link-local/);
    // IPv6 forms a translator or relay delivers to an IPv4 address: the address inside decides.
    for (const address of ['::ffff:0:127.0.0.1', '198.18.0.1', '192.0.0.8', 'fec0::1', '2001:0:4136:e378::1', '::127.0.0.1', '::7f00:1', '64:ff9b::7f00:1', '64:ff9b:1::a00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1']) assert.notEqual(refusedKind(address), null, address);
    assert.match(refusedKind('64:ff9b::10.0.0.1')!, /private.*NAT64 form/);
    for (const address of ['64:ff9b::808:808', '2002:808:808::1']) assert.equal(refusedKind(address), null, address);
  });

  it('refuses private, loopback, link-local and metadata hosts, and names resolving to them', async () => {
    for (const url of ['http://127.0.0.1/', 'http://10.0.0.8:8080/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://localhost:9/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/', 'https://100.64.1.1/', 'http://[fd12::1]/', 'http://[fe80::1]/']) {
      await assert.rejects(closed.checkUrl(url), refusedCode('FORGE_WEBHOOK_TARGET_REFUSED'), url);
    }
    await closed.checkUrl('https://93.184.216.34/hooks');
  });

  it('refuses what is not an http(s) URL without credentials', async () => {
    for (const url of ['ftp://93.184.216.34/', 'file:///etc/passwd', 'https://user:pass@93.184.216.34/', 'not a url']) {
      await assert.rejects(closed.checkUrl(url), refusedCode('FORGE_VALIDATION_FAILED'), url);
    }
  });

  it('lets through what the configuration allows: everything, a range, an address, or a host name', async () => {
    await new TargetGuard({ allowPrivateTargets: true, allowedTargets: [] }).checkUrl('http://127.0.0.1:1/');
    const listed = new TargetGuard({ allowPrivateTargets: false, allowedTargets: ['10.1.0.0/16', '127.0.0.1', 'localhost', '[fd00::1]'] });
    await listed.checkUrl('http://10.1.200.3/');
    await listed.checkUrl('http://127.0.0.1:8080/');
    await listed.checkUrl('http://localhost:8080/');
    await listed.checkUrl('http://[fd00::1]/');
    await assert.rejects(listed.checkUrl('http://10.2.0.1/'), refusedCode('FORGE_WEBHOOK_TARGET_REFUSED'));
    await assert.rejects(listed.checkUrl('http://127.0.0.2/'), refusedCode('FORGE_WEBHOOK_TARGET_REFUSED'));
  });

  it('pins a delivery to the address it checked', async () => {
    const guard = new TargetGuard({ allowPrivateTargets: false, allowedTargets: ['localhost'] });
    assert.deepEqual(await guard.addressFor('http://localhost:1/'), { address: '127.0.0.1', family: 4 });
  });

  it('reads allowed targets as host names, addresses or CIDR ranges', () => {
    for (const entry of ['hooks.internal', '10.0.0.0/8', '127.0.0.1', 'fd00::/8', '[::1]', 'ci-runner_1.lan.']) assert.equal(isAllowedTargetEntry(entry), true, entry);
    for (const entry of ['10.0.0.0/33', 'http://x', 'a b', '10.0.0.0/8/1', 'x/8', '']) assert.equal(isAllowedTargetEntry(entry), false, entry);
  });
});

describe('webhook configuration', () => {
  const home = tempDir('forge-webhook-config-');
  after(() => home.cleanup());

  it('has defaults, reads the environment, and refuses a malformed allowed target', () => {
    const defaults = loadConfig({ FORGE_HOME: home.path });
    assert.equal(defaults.webhookAllowPrivateTargets, false);
    assert.deepEqual(defaults.webhookAllowedTargets, []);
    assert.equal(defaults.webhookTimeoutMs, 10_000);
    assert.equal(defaults.webhookMaxAttempts, 12);
    assert.equal(defaults.webhookRetryBaseMs, 1_000);
    assert.equal(defaults.webhookRetryMaxMs, 3_600_000);
    const set = loadConfig({
      FORGE_HOME: home.path,
      FORGE_WEBHOOK_ALLOW_PRIVATE_TARGETS: '1',
      FORGE_WEBHOOK_ALLOWED_TARGETS: '10.0.0.0/8, hooks.internal',
      FORGE_WEBHOOK_TIMEOUT_MS: '2500',
      FORGE_WEBHOOK_MAX_ATTEMPTS: '3',
      FORGE_WEBHOOK_RETRY_BASE_MS: '50',
      FORGE_WEBHOOK_RETRY_MAX_MS: '500',
    });
    assert.equal(set.webhookAllowPrivateTargets, true);
    assert.deepEqual(set.webhookAllowedTargets, ['10.0.0.0/8', 'hooks.internal']);
    assert.deepEqual([set.webhookTimeoutMs, set.webhookMaxAttempts, set.webhookRetryBaseMs, set.webhookRetryMaxMs], [2500, 3, 50, 500]);
    assert.throws(() => loadConfig({ FORGE_HOME: home.path, FORGE_WEBHOOK_ALLOWED_TARGETS: 'http://x' }), (error: unknown) => error instanceof ConfigError && /webhookAllowedTargets/.test(error.message));
  });
});

describe('webhook sender', () => {
  const sender = new WebhookSender();
  let server: http.Server;
  let port: number;
  const hang: http.ServerResponse[] = [];
  let onHang = () => {};

  before(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      if (request.url === '/hang') {
        hang.push(response);
        onHang();
      }
      else if (request.url === '/big') response.writeHead(500).end('\u0007'.padEnd(1_000_000, 'x'));
      else response.writeHead(202).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    sender.close();
    for (const response of hang.splice(0)) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, options: { timeoutMs?: number; signal?: AbortSignal; port?: number } = {}) =>
    sender.send({
      url: new URL(`http://hooks.example:${options.port ?? port}${path}`),
      address: { address: '127.0.0.1', family: 4 },
      headers: { 'content-type': 'application/json' },
      body: '{}',
      timeoutMs: options.timeoutMs ?? 5_000,
      signal: options.signal ?? new AbortController().signal,
    });

  it('connects to the pinned address whatever the URL names, and counts a 2xx as delivered', async () => {
    const response = await post('/ok');
    assert.deepEqual({ ...response, durationMs: 0 }, { status: 202, error: null, excerpt: 'ok', durationMs: 0 });
  });

  it('gives up on a receiver that does not answer in time, and on one the server stops for', async () => {
    assert.equal((await post('/hang', { timeoutMs: 100 })).error, 'no answer within 100 ms');
    const stopping = new AbortController();
    onHang = () => stopping.abort();
    const cut = post('/hang', { signal: stopping.signal });
    assert.equal((await cut).error, INTERRUPTED);
  });

  it('reads a few KB of an answer at most and keeps a short excerpt without control characters', async () => {
    const response = await post('/big');
    assert.equal(response.status, 500);
    assert.equal(response.error, 'answered 500');
    assert.equal(response.excerpt!.length, 500);
    assert.ok(response.excerpt!.startsWith('?x'));
  });

  it('reports a connection that fails', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const response = await post('/', { port: unused });
    assert.equal(response.status, null);
    assert.match(response.error!, /^ECONNREFUSED/);
  });
});
