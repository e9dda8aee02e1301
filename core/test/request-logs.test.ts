import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type Hapi from '@hapi/hapi';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/config.ts';
import { createForge, type Forge } from '../src/forge.ts';
import { LogSampler } from '../src/observability/log-sampler.ts';
import { createLogger } from '../src/observability/logger.ts';
import { tempDir } from './support/temp-dir.ts';

/** A pino destination that keeps each line, parsed. */
function memoryLog(): { lines: any[]; write(line: string): void } {
  const lines: any[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line)) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids in the log', () => {
  let home: ReturnType<typeof tempDir>;
  let forge: Forge;
  let server: Hapi.Server;
  let log: ReturnType<typeof memoryLog>;
  // Lines the probe route logs once its response is long over, from a timer it set.
  let lateLines: Promise<void>[];

  before(async () => {
    home = tempDir('forge-request-logs-');
    log = memoryLog();
    lateLines = [];
    const config = loadConfig({ FORGE_HOME: home.path, FORGE_PORT: '0', FORGE_LOG_LEVEL: 'debug', FORGE_LOG_SAMPLING: 'off' });
    forge = await createForge(config, createLogger(config, log));
    server = await buildServer(forge);
    // A route that logs as the server's own code does: across timers, a database read, a child
    // logger, and once more after its response is over.
    server.route({
      method: 'GET',
      path: '/probe/{name}',
      handler: async (request) => {
        const { name } = request.params;
        const logger = forge.logger.child({ probe: name });
        logger.info('probe began');
        // 5 ms by the clock the duration is measured with: a timer counts whole milliseconds of
        // the event loop's clock, so a 5 ms one can end about 4 ms after it was set.
        const began = performance.now();
        while (performance.now() - began < 5) await sleep(1);
        logger.debug('probe after a timer');
        await forge.stores.projects.all();
        logger.info('probe after a database read');
        await nextTurn();
        forge.logger.warn({ probe: name }, 'probe after setImmediate, on the root logger');
        lateLines.push(sleep(100).then(() => logger.info('probe logs after its response')));
        return { name };
      },
    });
    await server.start();
  });

  after(async () => {
    await server?.stop();
    await forge?.close();
    home?.cleanup();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.info.uri}${path}`, { headers });

  it('gives every line logged while serving a request that request’s id, and none to lines after its response', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    // At once, so their hops interleave: an id that leaked from one request into another shows.
    const answers = await Promise.all(names.map((name) => get(`/probe/${name}`)));
    await Promise.all(lateLines);
    const ids = new Map(names.map((name, i) => [name, answers[i]!.headers.get('x-request-id')!]));
    assert.equal(new Set(ids.values()).size, names.length, 'every request has its own id');
    for (const [name, id] of ids) {
      assert.match(id, UUID);
      const lines = log.lines.filter((line) => line.probe === name);
      assert.deepEqual(
        lines.map((line) => [line.msg, line.requestId]),
        [
          ['probe began', id],
          ['probe after a timer', id],
          ['probe after a database read', id],
          ['probe after setImmediate, on the root logger', id],
          ['probe logs after its response', undefined],
        ],
      );
      const access = log.lines.filter((line) => line.requestId === id && line.msg === 'GET /probe/{name} 200');
      assert.equal(access.length, 1, `one access line for ${name}`);
      assert.equal(access[0].path, `/probe/${name}`);
      assert.ok(access[0].durationMs >= 5, 'the duration counts from arrival: the probe slept 5 ms');
    }
  });

  it('keeps a sane X-Request-Id, replaces one that is not, and answers every route and refusal with one', async () => {
    const sane = 'trace-42.a:b_c-D';
    const kept = await get('/probe/kept', { 'x-request-id': sane });
    assert.equal(kept.headers.get('x-request-id'), sane);
    assert.ok(log.lines.some((line) => line.probe === 'kept' && line.requestId === sane));
    for (const insane of ['has space', 'x'.repeat(129), 'quote"d', 'ünïcode', 'new\\nline', '']) {
      const answer = await get('/probe/replaced', { 'x-request-id': insane });
      const id = answer.headers.get('x-request-id')!;
      assert.match(id, UUID, `${JSON.stringify(insane)} is replaced`);
      assert.ok(log.lines.some((line) => line.msg === 'GET /probe/{name} 200' && line.requestId === id));
    }
    assert.equal(log.lines.filter((line) => line.requestId === 'x'.repeat(129)).length, 0);
    // hapi's own 404 and a 400 from joi carry one too, and are logged with the route they were for.
    const unknown = await get('/no/such/route');
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('x-request-id')!, UUID);
    const invalid = await get('/api/v1/tasks/not-a-uuid');
    assert.equal(invalid.status, 400);
    const invalidLine = log.lines.find((line) => line.requestId === invalid.headers.get('x-request-id'));
    assert.deepEqual([invalidLine.method, invalidLine.route, invalidLine.status], ['GET', '/api/v1/tasks/{taskId}', 400]);
  });
});

describe('log sampling', () => {
  it('writes the first perSecond lines of a key each second, then one in thenOneIn, counting the rest', () => {
    let now = 1_000_000;
    const sampler = new LogSampler({ perSecond: 3, thenOneIn: 4 }, () => now);
    const burst = Array.from({ length: 12 }, () => sampler.admit('hot'));
    // 3 in full; then of the next 9, the 4th and the 8th, each reporting those left out before it.
    assert.deepEqual(burst, [0, 0, 0, null, null, null, 3, null, null, null, 3, null]);
    assert.equal(sampler.admit('other'), 0, 'another key has its own budget');
    now += 999;
    assert.equal(sampler.admit('hot'), null, 'still the same second');
    now += 1;
    assert.equal(sampler.admit('hot'), 2, 'a new second: written, with the two left out since the last line');
    assert.equal(sampler.admit('hot'), 0);
  });

  it('forgets keys that went quiet, so interpolated messages do not grow it', () => {
    let now = 0;
    const sampler = new LogSampler({ perSecond: 1, thenOneIn: 1000 }, () => now);
    for (let i = 0; i < 1000; i++) sampler.admit(`message ${i}`);
    sampler.admit('burst');
    assert.equal(sampler.admit('burst'), null);
    assert.equal(sampler.trackedKeys, 1001);
    now += 1_000;
    sampler.admit('later');
    // A key with a count still to report is kept for its next line.
    assert.equal(sampler.trackedKeys, 2);
    now += 600_000;
    sampler.admit('much later');
    assert.equal(sampler.trackedKeys, 1);
  });

  it('never samples warnings and errors, and says on the next written line how many were left out', () => {
    const log = memoryLog();
    // Within one second (the window starts at the first line): 2 in full, then one in 2.
    const logger = createLogger({ logLevel: 'info', logSampling: { perSecond: 2, thenOneIn: 2 } }, log);
    for (let i = 0; i < 5; i++) logger.info({ i }, 'hot line');
    for (let i = 0; i < 5; i++) logger.warn({ i }, 'hot warning');
    for (let i = 0; i < 5; i++) logger.error(new Error('hot error'));
    logger.child({ component: 'x' }).info('hot line');
    assert.deepEqual(
      log.lines.filter((line) => line.msg === 'hot line').map((line) => [line.i ?? line.component, line.suppressed]),
      [
        [0, undefined],
        [1, undefined],
        [3, 1],
        ['x', 1],
      ],
    );
    assert.equal(log.lines.filter((line) => line.msg === 'hot warning').length, 5);
    assert.equal(log.lines.filter((line) => line.level === 50).length, 5);
    const off = memoryLog();
    const unsampled = createLogger({ logLevel: 'info', logSampling: null }, off);
    for (let i = 0; i < 500; i++) unsampled.info('hot line');
    assert.equal(off.lines.length, 500);
  });
});
