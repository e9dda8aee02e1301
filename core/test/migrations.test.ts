import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { migrations, migrationSource } from '../../migrations/index.ts';
import { connectSqlite, openDatabase } from '../src/store/database.ts';
import { tempDir } from './support/temp-dir.ts';

/** Everything that describes a schema: sqlite_master plus what the pragmas say about each table. */
interface Schema {
  master: { type: string; name: string; tbl_name: string; sql: string | null }[];
  tables: Record<string, { columns: unknown[]; indexes: unknown[]; foreignKeys: unknown[] }>;
}

async function captureSchema(knex: Knex): Promise<Schema> {
  const master = await knex.raw<Schema['master']>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'knex_%' ORDER BY type, name",
  );
  const tables: Schema['tables'] = {};
  for (const { name } of master.filter((row) => row.type === 'table')) {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const indexes = await knex.raw<{ name: string }[]>(`PRAGMA index_list(${quoted})`);
    const withColumns = [];
    for (const index of [...indexes].sort((a, b) => a.name.localeCompare(b.name))) {
      withColumns.push({ ...index, columns: await knex.raw(`PRAGMA index_info("${index.name.replaceAll('"', '""')}")`) });
    }
    tables[name] = {
      columns: await knex.raw(`PRAGMA table_info(${quoted})`),
      indexes: withColumns,
      foreignKeys: await knex.raw(`PRAGMA foreign_key_list(${quoted})`),
    };
  }
  return { master, tables };
}


const appliedNames = async (knex: Knex): Promise<string[]> => {
  const [completed] = (await knex.migrate.list({ migrationSource })) as [{ name: string }[], unknown[]];
  return completed.map((m) => m.name);
};

describe('migrations', () => {
  let dir: ReturnType<typeof tempDir>;
  const open: Knex[] = [];

  beforeEach(() => {
    dir = tempDir('forge-migrations-');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((knex) => knex.destroy()));
    dir.cleanup();
  });

  it('lists at least one migration, each with a unique, time-ordered name', () => {
    assert.ok(migrations.length > 0);
    const names = migrations.map(([name]) => name);
    assert.deepEqual([...names].sort(), names, 'listed in order');
    assert.equal(new Set(names).size, names.length, 'no duplicates');
    for (const name of names) assert.match(name, /^\d{14}_[a-z0-9_]+$/);
  });

  migrations.forEach(([name], index) => {
    it(`${name}: up, down and up again leave exactly the schema before and after it`, async () => {
      const knex = connectSqlite(join(dir.path, 'forge.sqlite'));
      open.push(knex);
      for (let i = 0; i < index; i++) await knex.migrate.up({ migrationSource });
      assert.deepEqual(await appliedNames(knex), migrations.slice(0, index).map(([n]) => n));

      const before = await captureSchema(knex);
      await knex.migrate.up({ migrationSource });
      assert.deepEqual(await appliedNames(knex), migrations.slice(0, index + 1).map(([n]) => n));
      const after = await captureSchema(knex);
      assert.notDeepEqual(after, before, `${name} changes the schema`);

      await knex.migrate.down({ migrationSource });
      assert.deepEqual(await appliedNames(knex), migrations.slice(0, index).map(([n]) => n), `${name} is no longer recorded as applied`);
      assert.deepEqual(await captureSchema(knex), before, `down of ${name} restores the schema before it`);

      await knex.migrate.up({ migrationSource });
      assert.deepEqual(await captureSchema(knex), after, `${name} applied again gives the same schema`);
      const check = await knex.raw<{ foreign_key_check?: unknown }[]>('PRAGMA foreign_key_check');
      assert.deepEqual(check, []);
    });
  });

  it('all migrations down leave no table but knex’s own, and openDatabase() builds the same schema as the migrator', async () => {
    const knex = connectSqlite(join(dir.path, 'stepwise.sqlite'));
    open.push(knex);
    assert.deepEqual(await appliedNames(knex), [], 'creates knex’s own tables, nothing else');
    const empty = await captureSchema(knex);
    await knex.migrate.latest({ migrationSource });
    const latest = await captureSchema(knex);
    await knex.migrate.rollback({ migrationSource }, true);
    assert.deepEqual(await appliedNames(knex), []);
    assert.deepEqual(await captureSchema(knex), empty);

    const db = await openDatabase(join(dir.path, 'opened.sqlite'));
    open.push(db);
    assert.deepEqual(await captureSchema(db), latest);
  });

  describe('constraints on the latest schema', () => {
    let db: Knex;
    const ts = '2026-11-24T00:00:00.000Z';
    const ids = {
      project: '01900000-0000-7000-8000-000000000001',
      task: '01900000-0000-7000-8000-000000000002',
      dependency: '01900000-0000-7000-8000-000000000003',
      attempt: '01900000-0000-7000-8000-000000000004',
      process: '01900000-0000-7000-8000-000000000005',
      otherProject: '01900000-0000-7000-8000-000000000006',
      otherTask: '01900000-0000-7000-8000-000000000007',
    };
    const project = (id: string, repoPath: string) => ({ id, name: 'p', repo_path: repoPath, default_branch: 'main', created_at: ts, updated_at: ts });
    const task = (id: string, projectId: string, status = 'todo') => ({ id, project_id: projectId, title: 't', status, created_at: ts, updated_at: ts });
    const attempt = (id: string, taskId: string, state = 'running') => ({
      id,
      task_id: taskId,
      executor_id: 'script',
      executor_package: '@forge-core/executor-script',
      executor_version: '0.1.0',
      contract_version: '1.0.0',
      options: '{}',
      prompt: 'p',
      branch: `forge/${id.slice(-8)}`,
      base_branch: 'main',
      state,
      created_at: ts,
      updated_at: ts,
    });

    beforeEach(async () => {
      db = await openDatabase(join(dir.path, 'forge.sqlite'));
      open.push(db);
      await db('projects').insert([project(ids.project, '/repo/a'), project(ids.otherProject, '/repo/b')]);
      await db('tasks').insert([task(ids.task, ids.project), task(ids.dependency, ids.project), task(ids.otherTask, ids.otherProject)]);
      await db('task_dependencies').insert({ task_id: ids.task, depends_on_task_id: ids.dependency });
      await db('attempts').insert(attempt(ids.attempt, ids.task));
      await db('processes').insert({ id: ids.process, attempt_id: ids.attempt, kind: 'agent', status: 'running', started_at: ts });
      await db('log_entries').insert(
        [1, 2, 3].map((seq) => ({ attempt_id: ids.attempt, process_id: ids.process, seq, ts, kind: 'log', payload: '{}' })),
      );
    });

    it('has foreign keys switched on for the connection', async () => {
      assert.deepEqual(await db.raw('PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
    });

    it('rejects a task status outside the CHECK list and accepts every listed one', async () => {
      await assert.rejects(db('tasks').insert(task('01900000-0000-7000-8000-0000000000aa', ids.project, 'bogus')), /CHECK constraint failed/);
      await assert.rejects(db('tasks').where({ id: ids.task }).update({ status: 'DONE' }), /CHECK constraint failed/);
      for (const status of ['todo', 'inprogress', 'inreview', 'done', 'cancelled']) {
        await db('tasks').where({ id: ids.task }).update({ status });
      }
      assert.equal((await db('tasks').where({ id: ids.task }).first()).status, 'cancelled');
    });

    it('rejects an attempt state outside the CHECK list and accepts every listed one', async () => {
      await assert.rejects(db('attempts').insert(attempt('01900000-0000-7000-8000-0000000000bb', ids.task, 'bogus')), /CHECK constraint failed/);
      await assert.rejects(db('attempts').where({ id: ids.attempt }).update({ state: 'finished' }), /CHECK constraint failed/);
      for (const state of ['queued', 'preparing', 'running', 'succeeded', 'failed', 'cancelled']) {
        await db('attempts').where({ id: ids.attempt }).update({ state });
      }
      assert.equal((await db('attempts').where({ id: ids.attempt }).first()).state, 'cancelled');
    });

    it('rejects a process kind or status outside its CHECK list', async () => {
      await assert.rejects(db('processes').where({ id: ids.process }).update({ kind: 'shell' }), /CHECK constraint failed/);
      await assert.rejects(db('processes').where({ id: ids.process }).update({ status: 'queued' }), /CHECK constraint failed/);
    });

    it('rejects rows that point at nothing', async () => {
      await assert.rejects(db('tasks').insert(task('01900000-0000-7000-8000-0000000000cc', '01900000-0000-7000-8000-0000000000ff')), /FOREIGN KEY constraint failed/);
      await assert.rejects(db('attempts').insert(attempt('01900000-0000-7000-8000-0000000000dd', '01900000-0000-7000-8000-0000000000ff')), /FOREIGN KEY constraint failed/);
    });

    it('deleting a project deletes its tasks, dependencies, attempts, processes and log entries, and nothing else', async () => {
      const count = async (table: string) => Number(((await db(table).count({ n: '*' })) as { n: number | string }[])[0]!.n);
      assert.deepEqual(
        await Promise.all(['tasks', 'task_dependencies', 'attempts', 'processes', 'log_entries'].map(count)),
        [3, 1, 1, 1, 3],
      );
      assert.equal(await db('projects').where({ id: ids.project }).delete(), 1);
      assert.deepEqual(await db('tasks').pluck('id'), [ids.otherTask], "the other project's task stays");
      for (const table of ['task_dependencies', 'attempts', 'processes', 'log_entries']) assert.equal(await count(table), 0, `${table} is emptied`);
      assert.deepEqual(await db('projects').pluck('id'), [ids.otherProject]);
    });

    it('deleting a parent task only clears parent_task_id on its children', async () => {
      await db('tasks').where({ id: ids.dependency }).update({ parent_task_id: ids.task });
      await db('tasks').where({ id: ids.task }).delete();
      const child = await db('tasks').where({ id: ids.dependency }).first();
      assert.equal(child.parent_task_id, null);
      assert.equal(await db('attempts').where({ id: ids.attempt }).first(), undefined, "the deleted task's attempt goes with it");
    });
  });
});
