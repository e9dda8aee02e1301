import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { hostAllowed } from '../src/api/host-and-origin-guard.ts';
import { loadConfig } from '../src/config/config.ts';
import { makeRepo } from './support/git-repo.ts';
import { readSse, type SseEvent } from './support/sse-client.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

/**
 * The guards every HTTP request passes (spec/decisions/0014): bodies must be JSON and only go to
 * routes that take one, the Host and Origin must be allowed, and receiving a request has a
 * deadline. Requests are written with node:http or raw sockets where fetch cannot express them
 * (no Content-Type, a chosen Host or Origin, a body that trickles in).
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request through node:http, which sends the headers exactly as given (Host included). */
function send(server: TestServer, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    // Framed explicitly: node:http sends a GET body with neither Content-Length nor chunked encoding.
    const headers = options.body === undefined ? options.headers : { 'content-length': String(Buffer.byteLength(options.body)), ...options.headers };
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes `head` on a raw socket, then `drip` every 20 ms until the server closes the socket; resolves with all it answered. */
function trickle(server: TestServer, head: string, drip: string): { socket: Socket; answered: Promise<string> } {
  const { port } = new URL(server.url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => (received += chunk));
  socket.write(head);
  const timer = setInterval(() => socket.writable && socket.write(drip), 20);
  const answered = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  socket.on('error', () => undefined); // the server may reset the socket while we still write
  return { socket, answered };
}

/** A whole HTTP/1.x exchange on a raw socket: what fetch and node:http refuse to send. */
function raw(server: TestServer, text: string): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseAnswer(received)));
    socket.write(text);
  });
}

/** Reads an event stream until `until`; `opened` settles once its headers arrived, or fails with the stream. */
function openStream(url: string, until: (events: SseEvent[]) => boolean): { opened: Promise<void>; read: Promise<SseEvent[]> } {
  let isOpen = false;
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const read = readSse(url, { onOpen: () => ((isOpen = true), opened()), until, timeoutMs: 30_000 });
  const endedClosed = read.then(() => {
    if (!isOpen) throw new Error(`${url} ended before it opened`);
  });
  return { opened: Promise.race([open, endedClosed]), read };
}

function parseAnswer(text: string): Answer {
  const split = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Answer['headers'] = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = body.replace(/(^|\r\n)[0-9a-f]+\r\n/g, '').replace(/\r\n$/, '');
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body ? JSON.parse(body) : null };
}

describe('HTTP request guards', () => {
  let repos: ReturnType<typeof tempDir>;
  let server: TestServer;
  let port: string;
  let projectId: string;

  before(async () => {
    repos = tempDir('forge-guards-');
    server = await startTestServer();
    port = new URL(server.url).port;
    const created = await server.request('POST', '/projects', { name: 'guards', repoPath: makeRepo(join(repos.path, 'repo')) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    projectId = created.body.id;
  });

  after(async () => {
    await server?.close();
    repos.cleanup();
  });

  const taskTitles = async () => (await server.request('GET', `/tasks?projectId=${projectId}`)).body.items.map((t: { title: string }) => t.title);

  describe('JSON bodies', () => {
    it('refuses a body without Content-Type — what a foreign page sends without a preflight — with 415, and creates nothing', async () => {
      const body = JSON.stringify({ projectId, title: 'sent by a foreign page' });
      const plain = await send(server, 'POST', '/api/v1/tasks', { body });
      assert.equal(plain.status, 415, JSON.stringify(plain.body));
      assert.equal(plain.body.error.code, 'FORGE_UNSUPPORTED_MEDIA_TYPE');
      assert.match(plain.body.error.message, /no Content-Type.*application\/json/);
      const chunked = await raw(
        server,
        `POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
      assert.equal(chunked.status, 415, JSON.stringify(chunked.body));
      assert.deepEqual(await taskTitles(), []);
    });

    it('takes application/json with or without parameters, and refuses other types, +json variants included', async () => {
      const body = JSON.stringify({ projectId, title: 'json' });
      for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
        const answer = await send(server, 'POST', '/api/v1/tasks', { body, headers: { 'content-type': type } });
        assert.equal(answer.status, 201, `${type}: ${JSON.stringify(answer.body)}`);
      }
      for (const type of ['application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
        const answer = await send(server, 'POST', '/api/v1/tasks', { body, headers: { 'content-type': type } });
        assert.equal(answer.status, 415, `${type}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, 'FORGE_UNSUPPORTED_MEDIA_TYPE');
        assert.match(answer.body.error.message, /Content-Type: application\/json/);
      }
      assert.deepEqual(await taskTitles(), ['json', 'json', 'json']);
    });

    it('refuses any body on every route that declares none, and still takes an empty one with a JSON Content-Type', async () => {
      const routes = server.server.table().filter((route) => route.path.startsWith('/api/v1/'));
      const fill = (path: string) => path.replace(/\{name\}/, 'forge-no-such-pack').replace(/\{\w+\}/g, () => randomUUID());
      const bodiless = routes.filter((route) => !route.settings.validate?.payload);
      const withBody = routes.filter((route) => route.settings.validate?.payload);
      const keys = bodiless.map((route) => `${route.method.toUpperCase()} ${route.path}`);
      for (const expected of ['GET /api/v1/events', 'DELETE /api/v1/tasks/{taskId}', 'POST /api/v1/attempts/{attemptId}/stop', 'POST /api/v1/attempts/{attemptId}/merge']) {
        assert.ok(keys.includes(expected), `${expected} is among the routes without a body: ${keys.join(', ')}`);
      }
      assert.ok(withBody.length >= 5, 'routes with a body are found too');

      for (const route of bodiless) {
        const method = route.method.toUpperCase();
        const path = fill(route.path);
        const where = `${method} ${route.path}`;
        for (const body of ['{}', '{"force":true}', 'not json']) {
          const answer = await send(server, method, path, { body, headers: { 'content-type': 'application/json' } });
          assert.equal(answer.status, 400, `${where} with ${body}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.error.code, 'FORGE_VALIDATION_FAILED');
          assert.equal(answer.body.error.message, `${where} takes no request body; send the request without one.`);
        }
        if (method === 'GET') continue; // an empty GET to a stream would stay open; GETs are covered by the fetches everywhere else
        // What `curl -XPOST -H 'content-type: application/json'` sends: no body at all, and an explicitly empty one.
        for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', 'content-length': '0' }] as Record<string, string>[]) {
          const answer = await send(server, method, path, { headers });
          assert.equal(answer.status, 404, `${where} with ${JSON.stringify(headers)} reaches its handler: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.error.code, route.path.includes('/executor-profiles/') ? 'FORGE_PROFILE_NOT_FOUND' : 'FORGE_NOT_FOUND');
        }
      }

      for (const route of withBody) {
        const where = `${route.method.toUpperCase()} ${route.path}`;
        const answer = await send(server, route.method.toUpperCase(), fill(route.path), { body: '{"bogus":1}', headers: { 'content-type': 'application/json' } });
        assert.ok([400, 404].includes(answer.status), `${where}: ${answer.status} ${JSON.stringify(answer.body)}`);
        assert.doesNotMatch(answer.body.error.message, /takes no request body/, where);
      }
    });
  });

  describe('Host and Origin', () => {
    it('refuses a Host that is not a loopback name (DNS rebinding) with 403, on /health too', async () => {
      for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, '127.0.0.256', '[::2]']) {
        for (const path of ['/api/v1/health', '/api/v1/projects']) {
          const answer = await send(server, 'GET', path, { headers: { host } });
          assert.equal(answer.status, 403, `${host} ${path}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.error.code, 'FORGE_HOST_NOT_ALLOWED');
          assert.match(answer.body.error.message, /FORGE_ALLOWED_HOSTS/);
          assert.ok(answer.body.error.message.includes(host), answer.body.error.message);
        }
      }
      const noHost = await raw(server, 'GET /api/v1/projects HTTP/1.0\r\n\r\n');
      assert.equal(noHost.status, 403, JSON.stringify(noHost.body));
      assert.equal(noHost.body.error.code, 'FORGE_HOST_NOT_ALLOWED');
    });

    it('answers loopback names, with or without a port', async () => {
      for (const host of ['localhost', `localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.1:${port}`, '127.1.2.3', `[::1]:${port}`, '[::1]']) {
        const answer = await send(server, 'GET', '/api/v1/health', { headers: { host } });
        assert.equal(answer.status, 200, `${host}: ${JSON.stringify(answer.body)}`);
      }
    });

    it('refuses a request whose Origin is not allowed; no Origin, or this server’s own loopback origin, passes', async () => {
      for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://localhost:${port}`, `http://localhost:${Number(port) + 1}`, 'http://localhost']) {
        const answer = await send(server, 'GET', '/api/v1/projects', { headers: { origin } });
        assert.equal(answer.status, 403, `${origin}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, 'FORGE_ORIGIN_NOT_ALLOWED');
        assert.match(answer.body.error.message, /FORGE_ALLOWED_ORIGINS/);
      }
      // The foreign page's no-cors POST with a JSON body it labels correctly: the Origin alone refuses it.
      const body = JSON.stringify({ projectId, title: 'from evil' });
      const post = await send(server, 'POST', '/api/v1/tasks', { body, headers: { origin: 'http://evil.example', 'content-type': 'application/json' } });
      assert.equal(post.status, 403, JSON.stringify(post.body));
      assert.ok(!(await taskTitles()).includes('from evil'));

      for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
        assert.equal((await send(server, 'GET', '/api/v1/projects', { headers: { origin } })).status, 200, origin);
      }
      assert.equal((await send(server, 'GET', '/api/v1/projects')).status, 200);
    });

    it('takes the names and origins configured in FORGE_ALLOWED_HOSTS and FORGE_ALLOWED_ORIGINS, and answers their CORS preflight', async () => {
      const configured = await startTestServer({ FORGE_ALLOWED_HOSTS: 'forge.test, Pinned.test:9', FORGE_ALLOWED_ORIGINS: 'http://ui.test:5173' });
      try {
        const own = new URL(configured.url).port;
        for (const [host, status] of [[`forge.test:${own}`, 200], ['forge.test', 200], ['pinned.test:9', 200], [`pinned.test:${own}`, 403], [`localhost:${own}`, 200], ['other.test', 403]] as const) {
          assert.equal((await send(configured, 'GET', '/api/v1/health', { headers: { host } })).status, status, host);
        }
        const allowed = await send(configured, 'GET', '/api/v1/projects', { headers: { origin: 'http://ui.test:5173' } });
        assert.equal(allowed.status, 200);
        assert.equal(allowed.headers['access-control-allow-origin'], 'http://ui.test:5173');
        const preflight = await send(configured, 'OPTIONS', '/api/v1/tasks', {
          headers: { origin: 'http://ui.test:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
        assert.ok(preflight.status < 300, `preflight: ${preflight.status}`);
        assert.equal(preflight.headers['access-control-allow-origin'], 'http://ui.test:5173');
        const refused = await send(configured, 'OPTIONS', '/api/v1/tasks', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
        assert.equal(refused.status, 403);
        assert.equal(refused.headers['access-control-allow-origin'], undefined);
      } finally {
        await configured.close();
      }
    });

    it('refuses malformed allow-list entries at start, saying what is expected', () => {
      const home = tempDir('forge-guards-config-');
      try {
        assert.throws(() => loadConfig({ FORGE_HOME: home.path, FORGE_ALLOWED_ORIGINS: 'http://ui.test:5173/app' }), /allowedOrigins.*scheme:\/\/host\[:port\] with no path/);
        assert.throws(() => loadConfig({ FORGE_HOME: home.path, FORGE_ALLOWED_HOSTS: 'http://forge.test' }), /allowedHosts.*host name or address/);
        assert.throws(() => loadConfig({ FORGE_HOME: home.path, FORGE_REQUEST_TIMEOUT_MS: '0' }), /requestTimeoutMs/);
        const config = loadConfig({ FORGE_HOME: home.path, FORGE_ALLOWED_HOSTS: ' Forge.Test ,x.test:1', FORGE_ALLOWED_ORIGINS: 'HTTP://UI.test:5173' });
        assert.deepEqual([config.allowedHosts, config.allowedOrigins, config.requestTimeoutMs], [['forge.test', 'x.test:1'], ['http://ui.test:5173'], 30_000]);
      } finally {
        home.cleanup();
      }
    });

    it('checks the Host on a non-loopback bind only against a configured allow-list (the API token guards it)', () => {
      assert.equal(hostAllowed('evil.example', { host: '0.0.0.0', allowedHosts: [] }), true);
      assert.equal(hostAllowed('evil.example', { host: '0.0.0.0', allowedHosts: ['forge.internal'] }), false);
      assert.equal(hostAllowed('forge.internal:8887', { host: '0.0.0.0', allowedHosts: ['forge.internal'] }), true);
      assert.equal(hostAllowed('127.0.0.1:8887', { host: '0.0.0.0', allowedHosts: ['forge.internal'] }), true);
      assert.equal(hostAllowed('192.168.1.5:8887', { host: '192.168.1.5', allowedHosts: ['forge.internal'] }), true, 'the bind address itself');
      assert.equal(hostAllowed('[fd00::5]:8887', { host: 'fd00::5', allowedHosts: ['forge.internal'] }), true, 'an IPv6 bind address');
      assert.equal(hostAllowed('evil.example', { host: '127.0.0.1', allowedHosts: [] }), false);
    });
  });

  describe('request deadline', () => {
    let slow: TestServer;
    let slowProject: string;

    before(async () => {
      slow = await startTestServer({ FORGE_REQUEST_TIMEOUT_MS: '1000' });
      const created = await slow.request('POST', '/projects', { name: 'slow', repoPath: makeRepo(join(repos.path, 'slow')) });
      slowProject = created.body.id;
    });

    after(async () => {
      await slow?.close();
    });

    const expect408 = (answered: string) => {
      const answer = parseAnswer(answered);
      assert.equal(answer.status, 408, answered);
      assert.equal(answer.headers.connection, 'close');
      assert.equal(answer.body.error.code, 'FORGE_REQUEST_TIMEOUT');
      assert.match(answer.body.error.message, /1000 ms.*FORGE_REQUEST_TIMEOUT_MS/);
    };

    it('answers 408 with the error body and closes the socket when a body trickles in, and nothing is created', async () => {
      const { port: slowPort } = new URL(slow.url);
      const { answered } = trickle(
        slow,
        `POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"projectId":"${slowProject}","title":"slow","description":"`,
        'x',
      );
      expect408(await answered);
      const { body } = await slow.request('GET', `/tasks?projectId=${slowProject}`);
      assert.deepEqual(body.items, []);
    });

    it('answers 408 and closes the socket when the headers never end', async () => {
      const { port: slowPort } = new URL(slow.url);
      const { answered } = trickle(slow, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\n`, 'X-Filler: 1\r\n');
      expect408(await answered);
    });

    it('leaves Server-Sent Events streams open past the deadline', async () => {
      const base = `${slow.url}/api/v1`;
      const task = (await slow.request('POST', '/tasks', { projectId: slowProject, title: 'long' })).body;
      const attempt = (await slow.request('POST', `/tasks/${task.id}/attempts`, { executor: 'script', options: { command: 'sleep 30' } })).body;
      await slow.waitFor(async () => (await slow.request('GET', `/attempts/${attempt.id}`)).body.state === 'running');

      const events = openStream(`${base}/events`, (seen) => seen.some((e) => e.event === 'task.created' && e.data.data.title === 'after'));
      const log = openStream(`${base}/attempts/${attempt.id}/logs/stream`, (seen) => seen.some((e) => e.event === 'end'));
      await Promise.all([events.opened, log.opened]);

      // A request begun after both streams opened is cut at the deadline, so both are older than it now.
      const { answered } = trickle(slow, `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:${new URL(slow.url).port}\r\n`, 'X-Filler: 1\r\n');
      expect408(await answered);

      await slow.request('POST', '/tasks', { projectId: slowProject, title: 'after' });
      assert.ok((await events.read).some((e) => e.event === 'task.created' && e.data.data.title === 'after'), 'the /events stream still delivers');
      assert.equal((await slow.request('POST', `/attempts/${attempt.id}/stop`)).status, 200);
      assert.ok((await log.read).some((e) => e.event === 'end'), 'the log stream still delivers its end');
    });
  });
});
