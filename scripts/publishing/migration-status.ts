/**
 * What a release does to a database: the migrations it ships (the list the server runs,
 * migrations/index.ts), whether each can be rolled back, and which are new since the previous
 * release tag.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MigrationStatus {
  names: string[];
  /** Those without a `down` function: a rollback past them is impossible. */
  withoutDown: string[];
  /** The latest release tag (v*), or null when there is none or `root` is not a git checkout. */
  previousTag: string | null;
  /** Migrations not in the previous tag's list; null without a previous tag. */
  addedSincePreviousTag: string[] | null;
}

interface MigrationModule {
  migrations: ReadonlyArray<readonly [string, { up?: unknown; down?: unknown }]>;
}

/** The names a migrations/index.ts text registers, in order. */
export function registeredNames(indexSource: string): string[] {
  return [...indexSource.matchAll(/\[\s*'(\d{14}_[A-Za-z0-9_]+)'\s*,/g)].map((match) => match[1]!);
}

async function git(root: string, ...args: string[]): Promise<string | null> {
  try {
    return (await run('git', ['-C', root, ...args])).stdout.trim();
  } catch {
    return null;
  }
}

export async function migrationStatus(root: string): Promise<MigrationStatus> {
  const { migrations } = (await import(pathToFileURL(join(root, 'migrations', 'index.ts')).href)) as MigrationModule;
  const names = migrations.map(([name]) => name);
  const withoutDown = migrations.filter(([, migration]) => typeof migration.down !== 'function').map(([name]) => name);
  const previousTag = await git(root, 'describe', '--tags', '--abbrev=0', '--match', 'v*');
  if (!previousTag) return { names, withoutDown, previousTag: null, addedSincePreviousTag: null };
  const previousIndex = (await git(root, 'show', `${previousTag}:migrations/index.ts`)) ?? '';
  const previous = new Set(registeredNames(previousIndex));
  return { names, withoutDown, previousTag, addedSincePreviousTag: names.filter((name) => !previous.has(name)) };
}
