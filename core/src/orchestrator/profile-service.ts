import { ForgeError } from '@forge-core/sdk';
import type { ConfiguredProfile } from '../config/config.ts';
import type { EventLog } from '../events/event-log.ts';
import { secretOptionNames, splitOptions } from '../plugins/executor-options.ts';
import type { ExecutorEntry, PackRegistry } from '../plugins/pack-registry.ts';
import { REDACTED } from '../runtime/redact-credentials.ts';
import { now } from '../store/clock.ts';
import type { SecretBox } from '../store/secret-box.ts';
import type { StoredProfile } from '../store/profile-store.ts';
import type { Stores } from '../store/stores.ts';

/** A profile as clients see it: secrets shown as a marker. */
export interface ExecutorProfile {
  name: string;
  executor: string;
  description: string | null;
  options: Record<string, unknown>;
  /** config: from the configuration file, read-only here; api: made through the API. */
  source: 'config' | 'api';
  createdAt: string | null;
  updatedAt: string | null;
}

export interface ProfileInput {
  executor: string;
  description?: string | undefined;
  options?: Record<string, unknown> | undefined;
}

/** A profile's executor and options, secrets opened: what an attempt starts from. */
export interface ResolvedProfile {
  executor: string;
  options: Record<string, unknown>;
}

/** The context a profile's secrets are sealed to, so a sealed value copied to another row does not open there. */
const sealContext = (name: string) => `executor-profile:${name}`;

/**
 * Executor profiles: named options for an executor (model, permission mode, extra arguments),
 * from the configuration file (read-only here) or made through the API. Options are checked
 * against the executor's descriptors; a profile may leave out what an attempt gives. Secret
 * options are sealed as an attempt's are (spec/decisions/0015) and shown as a marker.
 */
export class ProfileService {
  constructor(
    private readonly stores: Stores,
    private readonly events: EventLog,
    private readonly registry: PackRegistry,
    private readonly box: SecretBox,
    private readonly configured: Readonly<Record<string, ConfiguredProfile>>,
  ) {}

  async list(): Promise<ExecutorProfile[]> {
    const stored = (await this.stores.profiles.list()).filter((p) => !Object.hasOwn(this.configured, p.name));
    return [...Object.keys(this.configured).map((name) => this.fromConfig(name)), ...stored.map(shownProfile)].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<ExecutorProfile> {
    if (Object.hasOwn(this.configured, name)) return this.fromConfig(name);
    const stored = await this.stores.profiles.get(name);
    if (!stored) throw this.notFound(name);
    return shownProfile(stored);
  }

  /** Creates or replaces a profile made through the API. A secret sent back as the marker keeps its stored value. */
  async put(name: string, input: ProfileInput): Promise<{ profile: ExecutorProfile; created: boolean }> {
    this.requireWritable(name);
    const entry = this.executorEntry(input.executor);
    const before = await this.stores.profiles.get(name);
    const kept = before && before.executor === input.executor ? this.openSecrets(before.name, before.sealedOptions) : {};
    const given = { ...(input.options ?? {}) };
    for (const secret of secretOptionNames(entry.executor.options)) {
      if (given[secret] !== REDACTED) continue;
      if (!Object.hasOwn(kept, secret)) throw markerWithoutSecret(`options.${secret}`, `profile "${name}" has no stored ${secret} for executor ${entry.id} to keep`);
      given[secret] = kept[secret];
    }
    const options = validProfileOptions(entry, given);
    const { shown, secrets } = splitOptions(options, secretOptionNames(entry.executor.options));
    const timestamp = now();
    const stored = {
      name,
      executor: entry.id,
      description: input.description ?? null,
      options: shown,
      sealedOptions: Object.keys(secrets).length === 0 ? null : this.box.seal(JSON.stringify(secrets), sealContext(name)),
      createdAt: before?.createdAt ?? timestamp,
      updatedAt: timestamp,
    };
    const profile = shownProfile(stored);
    await this.events.transact((tx, emit) => {
      this.stores.profiles.save(tx, stored);
      emit('executor_profile.updated', name, profile);
    });
    return { profile, created: before === undefined };
  }

  async delete(name: string): Promise<void> {
    this.requireWritable(name);
    const deleted = await this.events.transact((tx, emit) => {
      const gone = this.stores.profiles.delete(tx, name);
      if (gone) emit('executor_profile.deleted', name, { name });
      return gone;
    });
    if (!deleted) throw this.notFound(name);
  }

  /** The executor and options a profile names, secrets opened, for a new attempt. */
  async resolve(name: string): Promise<ResolvedProfile> {
    const configured = Object.hasOwn(this.configured, name) ? this.configured[name] : undefined;
    if (configured) return { executor: configured.executor, options: { ...configured.options } };
    const stored = await this.stores.profiles.get(name);
    if (!stored) throw this.notFound(name, 'profile');
    return { executor: stored.executor, options: { ...stored.options, ...this.openSecrets(name, stored.sealedOptions) } };
  }

  private fromConfig(name: string): ExecutorProfile {
    const { executor, description, options } = this.configured[name]!;
    const entry = this.registry.executor(executor);
    // Without its executor nothing says which options are secret: none is shown.
    const { shown } = splitOptions(options, entry ? secretOptionNames(entry.executor.options) : Object.keys(options));
    return { name, executor, description: description ?? null, options: shown, source: 'config', createdAt: null, updatedAt: null };
  }

  private openSecrets(name: string, sealed: string | null): Record<string, unknown> {
    return sealed === null ? {} : JSON.parse(this.box.open(sealed, sealContext(name)));
  }

  private requireWritable(name: string): void {
    if (Object.hasOwn(this.configured, name)) {
      throw new ForgeError('FORGE_PROFILE_READ_ONLY', `The profile "${name}" comes from the configuration file (executorProfiles.${name}); change or remove it there.`, {
        profile: name,
      });
    }
  }

  private executorEntry(id: string): ExecutorEntry {
    const entry = this.registry.executor(id);
    if (entry) return entry;
    const installed = this.registry.listExecutors().map((e) => e.id);
    throw new ForgeError('FORGE_EXECUTOR_NOT_FOUND', `No executor "${id}" is installed; installed: ${installed.join(', ') || 'none'}.`, { field: 'executor', installed });
  }

  private notFound(name: string, field?: string): ForgeError {
    const known = Object.keys(this.configured);
    return new ForgeError('FORGE_PROFILE_NOT_FOUND', `No executor profile is named "${name}".`, { ...(field ? { field } : {}), profile: name, configured: known });
  }
}

/** The 400 for the secret marker where no stored secret stands behind it. */
export function markerWithoutSecret(path: string, why: string): ForgeError {
  const message = `${path} is "${REDACTED}", the marker a secret is shown as, but ${why}; send the secret itself`;
  return new ForgeError('FORGE_VALIDATION_FAILED', `Invalid options: ${message}`, { problems: [{ path, message }] });
}

function shownProfile({ sealedOptions: _sealed, ...profile }: StoredProfile): ExecutorProfile {
  return { ...profile, source: 'api' };
}

/** Options checked against the executor's descriptors; one an attempt must give may be left out. */
function validProfileOptions(entry: ExecutorEntry, options: Record<string, unknown>): Record<string, unknown> {
  const required = Object.entries(entry.executor.options ?? {}).flatMap(([name, descriptor]) => (descriptor.required ? [name] : []));
  const schema = required.length === 0 ? entry.optionsSchema : entry.optionsSchema.fork(required, (option) => option.optional());
  const { error, value } = schema.validate(options, { abortEarly: false, noDefaults: true });
  if (error) {
    throw new ForgeError('FORGE_VALIDATION_FAILED', `Invalid options for executor "${entry.id}": ${error.message}`, {
      problems: error.details.map((d) => ({ path: ['options', ...d.path].join('.'), message: d.message })),
    });
  }
  return value;
}
