// The floors the server's start-up is compared with, run with the same node flags as `npm start`:
//   bare  - node:http answering GET /api/v1/health: what Node alone costs;
//   deps  - the same answer from hapi, after loading what the server cannot start without
//           (hapi, joi, knex over better-sqlite3 with an open database file, pino, prom-client).
// Plain JavaScript, so no loader is in the measurement. FORGE_HOME and FORGE_PORT as the server reads them.
import { createServer } from 'node:http';
import { join } from 'node:path';

const port = Number(process.env.FORGE_PORT);
const health = JSON.stringify({ status: 'ok' });

if (process.argv[2] === 'bare') {
  createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(health)).listen(port, '127.0.0.1');
} else {
  const [{ default: Hapi }, { default: Joi }, { default: knex }, { default: pino }, { Registry, collectDefaultMetrics }] = await Promise.all([
    import('@hapi/hapi'),
    import('joi'),
    import('knex'),
    import('pino'),
    import('prom-client'),
  ]);
  const database = knex({ client: 'better-sqlite3', connection: { filename: join(process.env.FORGE_HOME, 'floor.sqlite') }, useNullAsDefault: true });
  await database.raw('create table if not exists t (id integer primary key)');
  collectDefaultMetrics({ register: new Registry() });
  const logger = pino({ level: 'warn' });
  const server = Hapi.server({ port, host: '127.0.0.1' });
  server.route({ method: 'GET', path: '/api/v1/health', options: { validate: { query: Joi.object({}) } }, handler: () => ({ status: 'ok' }) });
  await server.start();
  logger.info('listening');
}
