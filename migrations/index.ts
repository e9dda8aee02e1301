import type { Knex } from 'knex';
import * as initialSchema from './20261124000001_initial_schema.ts';
import * as processPidStartTime from './20261203000001_process_pid_start_time.ts';
import * as attemptSealedOptions from './20261203001500_attempt_sealed_options.ts';
import * as eventLogAndAttemptPhases from './20261204000001_event_log_and_attempt_phases.ts';
import * as approvalsAndExecutorProfiles from './20261204010001_approvals_and_executor_profiles.ts';
import * as pullRequests from './20261205000001_pull_requests.ts';
import * as taskParentIndex from './20261205000002_task_parent_index.ts';
import * as taskDependencies from './20261206000001_task_dependencies.ts';
import * as concurrencyAndRetries from './20261206000002_concurrency_and_retries.ts';
import * as webhooks from './20261206000003_webhooks.ts';
import * as projectWorktreePool from './20261207000001_project_worktree_pool.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Listed explicitly rather than read from the folder so the set is
 * the same however the server is launched (tsx, a bundle, a test) and a typo fails the typecheck.
 */
export const migrations: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['20261124000001_initial_schema', initialSchema],
  ['20261203000001_process_pid_start_time', processPidStartTime],
  ['20261203001500_attempt_sealed_options', attemptSealedOptions],
  ['20261204000001_event_log_and_attempt_phases', eventLogAndAttemptPhases],
  ['20261204010001_approvals_and_executor_profiles', approvalsAndExecutorProfiles],
  ['20261205000001_pull_requests', pullRequests],
  ['20261205000002_task_parent_index', taskParentIndex],
  ['20261206000001_task_dependencies', taskDependencies],
  ['20261206000002_concurrency_and_retries', concurrencyAndRetries],
  ['20261206000003_webhooks', webhooks],
  ['20261207000001_project_worktree_pool', projectWorktreePool],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
