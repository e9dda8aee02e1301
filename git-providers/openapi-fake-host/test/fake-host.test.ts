import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startFakeHost, type FakeHandler, type FakeHost, type FakeHostOptions } from '../src/index.ts';

const SPEC = new URL('./fixtures/tiny-host.openapi.json', import.meta.url);
const TOKEN = 'tok-0123456789-secret';

const pullRequest = (number: number) => ({ number, state: 'open', title: 'Fix the flaky test', head: { ref: 'forge/1-fix', sha: 'a'.repeat(40) }, created_at: '2024-05-01T10:00:00Z' });

interface Reply {
  status: number;
  contentType: string | undefined;
  body: any;
  text: string;
}

/** One exchange over node:http, which, unlike fetch, also sends a body with a GET. */
function exchange(url: string, method: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const length = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) };
  const headers = { ...length, ...options.headers };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const contentType = incoming.headers['content-type'];
        resolve({ status: incoming.statusCode ?? 0, contentType, text, body: contentType?.startsWith('application/json') ? JSON.parse(text) : undefined });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

const call = (host: FakeHost, method: string, path: string, options?: Parameters<typeof exchange>[2]) => exchange(`${host.url}${path}`, method, options);

describe('openapi fake host', () => {
  let host: FakeHost | undefined;
  const start = async (handlers: Record<string, FakeHandler>, options: Partial<FakeHostOptions> = {}) => {
    host = await startFakeHost({ spec: SPEC, label: 'tiny', handlers, ...options });
    return host;
  };
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  describe('a request the spec allows', () => {
    it('reaches the handler keyed by operationId, with the request parsed, and leaves no problem', async () => {
      const fake = await start({ listPulls: () => ({ status: 200, body: [pullRequest(1)], headers: { link: '<x>; rel="next"', 'x-total-count': '1' } }) });
      const reply = await call(fake, 'GET', '/repos/oct%20o/hello/pulls?state=all&per_page=100', { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(reply.status, 200);
      assert.match(reply.contentType ?? '', /^application\/json/);
      assert.deepEqual(reply.body, [pullRequest(1)]);
      const [request] = fake.requests;
      assert.equal(request?.operationId, 'listPulls');
      assert.equal(request?.method, 'GET');
      assert.equal(request?.path, '/repos/oct%20o/hello/pulls');
      assert.deepEqual(request?.params, { owner: 'oct o', repo: 'hello' });
      assert.deepEqual(request?.query, { state: 'all', per_page: '100' });
      assert.equal(request?.headers['authorization'], `Bearer ${TOKEN}`);
      assert.deepEqual(fake.problems, []);
      fake.assertClean();
    });

    it('reaches a handler keyed by "METHOD /path/template", whether or not the spec names the operation', async () => {
      const fake = await start({
        'GET /repos/{owner}/{repo}/pulls/{number}': (request) => ({ status: 200, body: pullRequest(Number(request.params['number'])) }),
        'POST /repos/{owner}/{repo}/pulls': (request) => ({ status: 201, body: { ...pullRequest(8), title: (request.body as { title: string }).title } }),
      });
      const got = await call(fake, 'GET', '/repos/o/r/pulls/7');
      const created = await call(fake, 'POST', '/repos/o/r/pulls', { body: { title: 'New', head: 'forge/2', base: 'main' } });
      assert.equal(got.body.number, 7);
      assert.equal(created.status, 201);
      assert.equal(created.body.title, 'New');
      assert.deepEqual(
        fake.requests.map((request) => request.operationId),
        ['GET /repos/{owner}/{repo}/pulls/{number}', 'createPull'],
      );
      fake.assertClean();
    });

    it('serves the spec under basePath, which url includes, and nothing outside it', async () => {
      const fake = await start({ getUser: () => ({ status: 200, body: { login: 'octo', id: 1 } }) }, { basePath: '/api/v3/' });
      assert.equal(fake.url, `${fake.origin}/api/v3`);
      assert.match(fake.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await call(fake, 'GET', '/user')).status, 200);
      assert.equal(fake.requests[0]?.path, '/user');
      assert.equal((await exchange(`${fake.origin}/user`, 'GET')).status, 501);
      assert.deepEqual(fake.problems, ['tiny: GET /user: not below the base path /api/v3, so no operation of the spec matches (501)']);
    });

    it('sends text for a text answer and nothing for a 204, as the spec declares', async () => {
      const fake = await start({ getLog: () => ({ status: 200, text: 'step 3 failed' }), mergePull: () => ({ status: 204 }) });
      const log = await call(fake, 'GET', '/repos/o/r/pulls/1/log');
      assert.equal(log.text, 'step 3 failed');
      assert.match(log.contentType ?? '', /^text\/plain/);
      const merged = await call(fake, 'PUT', '/repos/o/r/pulls/1/merge', { headers: { 'If-Match': 'abc' } });
      assert.equal(merged.status, 204);
      assert.equal(merged.text, '');
      fake.assertClean();
    });
  });

  describe('a request the spec does not allow', () => {
    it('answers 501 for a method or path the spec does not have, a trailing slash included', async () => {
      const fake = await start({ listPulls: () => ({ status: 200, body: [] }) });
      const replies = [await call(fake, 'DELETE', '/repos/o/r/pulls'), await call(fake, 'GET', '/repos/o/r/pullz'), await call(fake, 'GET', '/repos/o/r/pulls/')];
      assert.deepEqual(replies.map((reply) => reply.status), [501, 501, 501]);
      assert.match(replies[0]?.body.message, /no operation of the spec matches/);
      assert.deepEqual(fake.problems, [
        'tiny: DELETE /repos/o/r/pulls: no operation of the spec matches this method and path (501)',
        'tiny: GET /repos/o/r/pullz: no operation of the spec matches this method and path (501)',
        'tiny: GET /repos/o/r/pulls/: no operation of the spec matches this method and path (501)',
      ]);
    });

    it('answers 501 for an operation the test gave no handler', async () => {
      const fake = await start({});
      assert.equal((await call(fake, 'GET', '/user')).status, 501);
      assert.deepEqual(fake.problems, ['tiny: GET /user (getUser): the test gave no handler for getUser (501)']);
    });

    const refusals: { name: string; method: string; path: string; body?: unknown; headers?: Record<string, string>; says: string }[] = [
      { name: 'a body property of the wrong type', method: 'POST', path: '/repos/o/r/pulls', body: { title: 'T', head: 'h', base: 'main', draft: 'yes' }, says: 'body.draft must be boolean' },
      { name: 'a body without a required property', method: 'POST', path: '/repos/o/r/pulls', body: { title: 'T', base: 'main' }, says: 'body lacks the required "head"' },
      { name: 'a body property the schema forbids', method: 'POST', path: '/repos/o/r/pulls', body: { title: 'T', head: 'h', base: 'main', maintainer_can_modify: true }, says: 'body has "maintainer_can_modify", which the spec does not allow there' },
      { name: 'no body where one is required', method: 'POST', path: '/repos/o/r/pulls', says: 'the body is missing; the spec requires one' },
      { name: 'a body where the operation takes none', method: 'GET', path: '/user', body: { login: 'x' }, says: 'the request has a body; the operation takes none' },
      { name: 'a query parameter the spec does not list', method: 'GET', path: '/repos/o/r/pulls?sort=created', says: 'query parameter "sort" is not in the spec' },
      { name: 'a query value outside its enum', method: 'GET', path: '/repos/o/r/pulls?state=opened', says: 'query.state must be one of "open", "closed", "all"' },
      { name: 'a query value of the wrong type', method: 'GET', path: '/repos/o/r/pulls?per_page=many', says: 'query.per_page must be integer' },
      { name: 'a path parameter of the wrong type', method: 'GET', path: '/repos/o/r/pulls/seven/log', says: 'path.number must be integer' },
      { name: 'a required header left out', method: 'PUT', path: '/repos/o/r/pulls/1/merge', says: 'header lacks the required "if-match"' },
    ];
    for (const refusal of refusals) {
      it(`answers 422 with the validator's message for ${refusal.name}`, async () => {
        let handled = 0;
        const answer = () => {
          handled += 1;
          return { status: 500 };
        };
        const fake = await start({ createPull: answer, getUser: answer, listPulls: answer, getLog: answer, mergePull: answer });
        const reply = await call(fake, refusal.method, refusal.path, { body: refusal.body, headers: refusal.headers });
        assert.equal(reply.status, 422);
        assert.ok(reply.body.errors.includes(refusal.says), `errors: ${JSON.stringify(reply.body.errors)}`);
        assert.equal(handled, 0);
        assert.equal(fake.problems.length, 1);
        assert.ok(fake.problems[0]?.startsWith(`tiny: ${refusal.method} ${refusal.path.split('?')[0]} (`), fake.problems[0]);
        assert.ok(fake.problems[0]?.includes(refusal.says), fake.problems[0]);
      });
    }

    it('answers 400 for a JSON body that does not parse', async () => {
      const fake = await start({ createPull: () => ({ status: 201, body: pullRequest(1) }) });
      const reply = await call(fake, 'POST', '/repos/o/r/pulls', { raw: '{"title": "T",' });
      assert.equal(reply.status, 400);
      assert.deepEqual(fake.problems, ['tiny: POST /repos/o/r/pulls (createPull): the body is not valid JSON (400)']);
    });

    it('accepts the query API key a security scheme names, and never demands credentials itself', async () => {
      const fake = await start({ getUser: () => ({ status: 200, body: { login: 'octo', id: 1 } }) });
      assert.equal((await call(fake, 'GET', `/user?access_token=${TOKEN}`)).status, 200);
      assert.equal((await call(fake, 'GET', '/user')).status, 200);
      fake.assertClean();
    });
  });

  describe('authenticate', () => {
    const onlyToken = (request: { headers: Record<string, string> }) =>
      request.headers['authorization'] === `Bearer ${TOKEN}` ? undefined : { status: 401, body: { message: 'Bad credentials' } };

    it('answers in place of validation and the handler when it returns an answer', async () => {
      let handled = 0;
      const fake = await start({ createPull: () => ((handled += 1), { status: 201, body: pullRequest(1) }) }, { authenticate: onlyToken });
      const refused = await call(fake, 'POST', '/repos/o/r/pulls', { body: { not: 'valid' }, headers: { authorization: 'Bearer wrong' } });
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.body, { message: 'Bad credentials' });
      assert.equal(fake.requests[0]?.operationId, 'createPull');
      const accepted = await call(fake, 'POST', '/repos/o/r/pulls', { body: { title: 'T', head: 'h', base: 'main' }, headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(accepted.status, 201);
      assert.equal(handled, 1);
      fake.assertClean();
    });

    it("checks its answer against the operation's declared response for that status, when there is one", async () => {
      const fake = await start({ getUser: () => ({ status: 200, body: { login: 'octo', id: 1 } }) }, { authenticate: () => ({ status: 401, body: { error: 'no message field' } }) });
      assert.equal((await call(fake, 'GET', '/user')).status, 500);
      assert.equal(fake.problems.length, 1);
      assert.match(fake.problems[0] ?? '', /authenticate's 401 answer breaks the spec.*body lacks the required "message"/);
    });
  });

  describe('an answer the spec does not allow', () => {
    const cases: { name: string; handler: FakeHandler; says: RegExp }[] = [
      { name: 'a body that breaks the response schema', handler: () => ({ status: 200, body: [{ ...pullRequest(1), number: '1' }] }), says: /handler's 200 answer breaks the spec, so the fake host answered 500: body\.0\.number must be integer$/ },
      { name: 'a date-time that is not one', handler: () => ({ status: 200, body: [{ ...pullRequest(1), created_at: 'yesterday' }] }), says: /body\.0\.created_at must match format "date-time"/ },
      { name: 'a declared header of the wrong type', handler: () => ({ status: 200, body: [], headers: { 'x-total-count': 'many' } }), says: /headers\.x-total-count must be integer/ },
      { name: 'a status the spec does not declare', handler: () => ({ status: 404, body: { message: 'Not Found' } }), says: /404 answer breaks the spec.*: the spec declares no 404 answer for it \(it declares 200\)/ },
      { name: 'text where the spec declares JSON', handler: () => ({ status: 200, text: 'hello' }), says: /the answer is text, but the spec declares application\/json for 200/ },
      { name: 'no {status}', handler: () => ({}) as never, says: /the handler returned no \{status\} answer/ },
      { name: 'a thrown error', handler: () => { throw new Error('fixture missing'); }, says: /the handler threw \(500\): Error: fixture missing/ },
    ];
    for (const { name, handler, says } of cases) {
      it(`answers 500 and records a problem for ${name}`, async () => {
        const fake = await start({ listPulls: handler });
        const reply = await call(fake, 'GET', '/repos/o/r/pulls');
        assert.equal(reply.status, 500);
        assert.equal(fake.problems.length, 1);
        assert.match(fake.problems[0] ?? '', says);
        assert.match(fake.problems[0] ?? '', /^tiny: GET \/repos\/o\/r\/pulls \(listPulls\): /);
      });
    }

    it('lets lenientNulls accept null where a schema omits nullable, and nothing else', async () => {
      // `reviewer` is a oneOf of two objects: a null must pass it once, not match both branches.
      const withNulls = () => ({ status: 200, body: [{ ...pullRequest(1), body: null, labels: [{ name: null }], reviewer: null }] });
      const strict = await start({ listPulls: withNulls });
      assert.equal((await call(strict, 'GET', '/repos/o/r/pulls')).status, 500);
      assert.match(strict.problems[0] ?? '', /body\.0\.body must be string/);
      await strict.close();
      const handlers: Record<string, FakeHandler> = { listPulls: withNulls };
      const lenient = await start(handlers, { lenientNulls: true });
      assert.equal((await call(lenient, 'GET', '/repos/o/r/pulls')).status, 200);
      lenient.assertClean();
      handlers['listPulls'] = () => ({ status: 200, body: [{ ...pullRequest(1), number: null, state: 'draft', reviewer: { slug: 7 } }] });
      assert.equal((await call(lenient, 'GET', '/repos/o/r/pulls')).status, 500);
      assert.match(lenient.problems[0] ?? '', /body\.0\.state must be one of "open", "closed", "merged", null/);
      assert.match(lenient.problems[0] ?? '', /body\.0\.reviewer\.slug must be string/);
    });
  });

  describe('sample', () => {
    it('builds, for every operation with a JSON answer, a body its own schema accepts', async () => {
      const handlers: Record<string, FakeHandler> = {};
      const fake = await start(handlers);
      const bodies = {
        getUser: fake.sample('getUser'),
        listPulls: fake.sample('listPulls'),
        createPull: fake.sample('createPull'),
        'GET /repos/{owner}/{repo}/pulls/{number}': fake.sample('GET /repos/{owner}/{repo}/pulls/{number}'),
      };
      for (const [key, body] of Object.entries(bodies)) handlers[key] = () => ({ status: key === 'createPull' ? 201 : 200, body });
      await call(fake, 'GET', '/user');
      await call(fake, 'GET', '/repos/o/r/pulls');
      await call(fake, 'POST', '/repos/o/r/pulls', { body: { title: 'T', head: 'h', base: 'main' } });
      await call(fake, 'GET', '/repos/o/r/pulls/3');
      fake.assertClean();
      assert.equal(bodies.createPull.head.sha, '6dcb09b5b57875f334f61aebed695e2e4193db5e', "the vendor's example is used");
      assert.ok(!('label' in bodies.createPull.head), 'a value the sampler cannot make match its pattern is left out');
    });

    it('samples a named status, and refuses one the spec gives no JSON body', async () => {
      const fake = await start({});
      assert.equal(typeof fake.sample('GET /repos/{owner}/{repo}/pulls/{number}', 404).message, 'string');
      assert.throws(() => fake.sample('mergePull'), /sample\(mergePull, 204\): the spec declares no JSON body for that answer/);
      assert.throws(() => fake.sample('nope'), /sample\(nope\): no such operation in the spec/);
    });
  });

  describe('problems', () => {
    it('assertClean throws an AssertionError listing every problem, and returns when there is none', async () => {
      const fake = await start({ listPulls: () => ({ status: 200, body: [] }) });
      fake.assertClean();
      await call(fake, 'GET', '/repos/o/r/pulls?sort=created');
      await call(fake, 'GET', '/nowhere');
      assert.throws(
        () => fake.assertClean(),
        (error: unknown) => {
          assert.equal((error as Error).name, 'AssertionError');
          assert.match((error as Error).message, /^tiny: 2 problem\(s\)/);
          assert.match((error as Error).message, /\n {2}- tiny: GET \/repos\/o\/r\/pulls \(listPulls\): the request breaks the spec \(422\): query parameter "sort" is not in the spec/);
          assert.match((error as Error).message, /\n {2}- tiny: GET \/nowhere: no operation/);
          return true;
        },
      );
    });

    it('never writes a token into a problem or an error answer', async () => {
      const fake = await start({ createPull: () => ({ status: 201, body: { token: TOKEN } }) });
      const replies = [
        await call(fake, 'POST', `/repos/o/r/pulls?access_token=${TOKEN}`, { body: { title: TOKEN, head: 'h', base: 'main', draft: TOKEN }, headers: { authorization: `token ${TOKEN}` } }),
        await call(fake, 'POST', `/repos/o/r/pulls?private_token=${TOKEN}`, { body: { title: 'T', head: 'h', base: 'main' } }),
        await call(fake, 'POST', `/repos/o/r/pulls`, { body: { title: 'T', head: 'h', base: 'main' }, headers: { authorization: `token ${TOKEN}` } }),
        await call(fake, 'GET', `/repos/o/r/pulls?access_token=${TOKEN}&state=${TOKEN}`),
      ];
      assert.deepEqual(replies.map((reply) => reply.status), [422, 422, 500, 422]);
      assert.equal(fake.problems.length, 4);
      for (const text of [...fake.problems, ...replies.map((reply) => reply.text)]) assert.ok(!text.includes(TOKEN), text);
    });

    it('refuses to start with a handler for an operation the spec does not have', async () => {
      await assert.rejects(startFakeHost({ spec: JSON.parse(readFileSync(SPEC, 'utf8')), label: 'tiny', handlers: { listPull: () => ({ status: 200 }) } }), /handlers for operations the spec does not have: listPull\. It has: .*listPulls/);
    });
  });
});
