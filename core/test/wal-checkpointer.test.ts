import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { connectSqlite } from '../src/store/database.ts';
import { WalCheckpointer } from '../src/store/wal-checkpointer.ts';
import { tempDir } from './support/temp-dir.ts';

// More than SQLite's automatic threshold (1,000 pages of 4 KiB), so an automatic checkpoint
// would have fired had it still been on.
const ROWS = 1_500;
const ROW = 'x'.repeat(4_000);
const WAIT_LIMIT_MS = 10_000;

async function waitFor(condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * Resolves once a checkpointer started earlier with `intervalMs: 10` has looked at least
 * `count - 1` more times: Node runs timers of one duration in the order they were set, so each
 * tick of this later interval follows one of the checkpointer's. A count of chances, not a clock.
 */
function checkpointerLooks(count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const timer = setInterval(() => {
      if (++seen < count) return;
      clearInterval(timer);
      resolve();
    }, 10);
  });
}

describe('WalCheckpointer', () => {
  let dir: ReturnType<typeof tempDir>;
  let knex: Knex;
  let file: string;
  let checkpointer: WalCheckpointer | null;
  const mainFileBytes = () => statSync(file).size;

  beforeEach(async () => {
    dir = tempDir();
    file = join(dir.path, 'forge.sqlite');
    knex = connectSqlite(file);
    await knex.raw('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    checkpointer = null;
  });
  afterEach(async () => {
    await checkpointer?.stop();
    await knex.destroy();
    dir.cleanup();
  });

  it('turns the automatic checkpoint off, then folds the WAL in once the writes stop', async () => {
    checkpointer = new WalCheckpointer(knex, { intervalMs: 20, quietMs: 40, maxSkips: 1_000 });
    await checkpointer.start();
    assert.deepEqual(await knex.raw('PRAGMA wal_autocheckpoint'), [{ wal_autocheckpoint: 0 }]);
    const before = mainFileBytes();
    for (let i = 0; i < ROWS; i++) await knex('notes').insert({ body: ROW });
    // Nothing reached the database file during the burst: no commit paid for a checkpoint.
    assert.equal(mainFileBytes(), before);
    assert.ok(await waitFor(() => mainFileBytes() > ROWS * ROW.length), `the database file stayed at ${mainFileBytes()} bytes`);
  });

  it('checkpoints under unbroken load too, so the WAL stays bounded', async () => {
    // Quiet never comes: a statement every few milliseconds, against 1 s of quiet asked for.
    checkpointer = new WalCheckpointer(knex, { intervalMs: 20, quietMs: 1_000, maxSkips: 5 });
    await checkpointer.start();
    const before = mainFileBytes();
    let written = 0;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (mainFileBytes() === before && Date.now() < deadline) {
      await knex('notes').insert({ body: ROW });
      written++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.ok(mainFileBytes() > before, `no checkpoint after ${written} writes`);
    // The load went on the whole time: the checkpoint did not wait for it to end.
    assert.ok(written > 1, `only ${written} write(s) before the checkpoint`);
  });

  it('does nothing while no statement has run since the last checkpoint', async () => {
    checkpointer = new WalCheckpointer(knex, { intervalMs: 10, quietMs: 0, maxSkips: 1 });
    const checkpoints: string[] = [];
    knex.on('query', (query: { sql: string }) => query.sql.includes('wal_checkpoint') && checkpoints.push(query.sql));
    await checkpointer.start();
    await knex('notes').insert({ body: 'one' });
    assert.ok(await waitFor(() => checkpoints.length === 1));
    await checkpointerLooks(20);
    assert.equal(checkpoints.length, 1, 'an idle database was checkpointed again');
  });
});
