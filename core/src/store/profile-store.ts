import type { Database } from './database.ts';
import type { Tx } from './transaction.ts';

/** A profile made through the API; its secret options are sealed apart from the rest. */
export interface StoredProfile {
  name: string;
  executor: string;
  description: string | null;
  /** Every option, with a marker in place of each secret. */
  options: Record<string, unknown>;
  sealedOptions: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ProfileRow {
  name: string;
  executor_id: string;
  description: string | null;
  options: string;
  sealed_options: string | null;
  created_at: string;
  updated_at: string;
}

function toProfile(row: ProfileRow): StoredProfile {
  return {
    name: row.name,
    executor: row.executor_id,
    description: row.description,
    options: JSON.parse(row.options),
    sealedOptions: row.sealed_options,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Executor profiles in the database; writes run inside the caller's transaction, with its event. */
export class ProfileStore {
  constructor(private readonly db: Database) {}

  async get(name: string): Promise<StoredProfile | undefined> {
    const row = await this.db<ProfileRow>('executor_profiles').where({ name }).first();
    return row && toProfile(row);
  }

  async list(): Promise<StoredProfile[]> {
    return (await this.db<ProfileRow>('executor_profiles').orderBy('name')).map(toProfile);
  }

  /** Inserts or replaces the profile; its creation time stays. */
  save(tx: Tx, profile: StoredProfile): void {
    const row: ProfileRow = {
      name: profile.name,
      executor_id: profile.executor,
      description: profile.description,
      options: JSON.stringify(profile.options),
      sealed_options: profile.sealedOptions,
      created_at: profile.createdAt,
      updated_at: profile.updatedAt,
    };
    tx.run(this.db('executor_profiles').insert(row).onConflict('name').merge(['executor_id', 'description', 'options', 'sealed_options', 'updated_at']));
  }

  delete(tx: Tx, name: string): boolean {
    return tx.run(this.db('executor_profiles').where({ name }).delete()).changes > 0;
  }
}
