import type { OptionShape } from '@forge-core/sdk';
import { secretOptionNames, splitOptions } from '../plugins/executor-options.ts';
import type { PackRegistry } from '../plugins/pack-registry.ts';
import type { Attempt } from '../store/attempt-store.ts';
import type { SecretBox } from '../store/secret-box.ts';
import type { Stores } from '../store/stores.ts';

const SEAL_PAGE_SIZE = 500;

/** What one run of an attempt gets from its sealed secrets. */
export interface RunSecrets {
  /** The options as they were validated, secrets included: what the executor receives. */
  options: Record<string, unknown>;
  /** Secret options that name an environment variable, set there for the agent. */
  environment: Record<string, string>;
  /** Every sealed string, kept out of the attempt's log. */
  values: string[];
}

/**
 * Secret executor options at rest: taken out of `options` when an attempt is made (a marker
 * stays in their place, so showing an attempt needs no pack) and sealed with the server's key;
 * opened only for a run. See spec/decisions/0015.
 */
export class AttemptSecrets {
  constructor(
    private readonly stores: Stores,
    private readonly box: SecretBox,
  ) {}

  /** Validated options of a new attempt, split into what is stored in clear and the sealed secrets. */
  split(
    attemptId: string,
    shape: OptionShape | undefined,
    options: Record<string, unknown>,
  ): { options: Record<string, unknown>; sealedOptions: string | null } {
    const { shown, secrets } = splitOptions(options, secretOptionNames(shape));
    return { options: shown, sealedOptions: this.seal(attemptId, secrets) };
  }

  /** Opens an attempt's secrets for one run of the executor whose descriptors are `shape`. */
  async forRun(attempt: Attempt, shape: OptionShape | undefined): Promise<RunSecrets> {
    const sealed = await this.stores.attempts.sealedOptions(attempt.id);
    const secrets: Record<string, unknown> = sealed === null ? {} : JSON.parse(this.box.open(sealed, attempt.id));
    const environment: Record<string, string> = {};
    for (const [name, descriptor] of Object.entries(shape ?? {})) {
      const value = secrets[name];
      if (descriptor.type === 'secret' && descriptor.env && typeof value === 'string') environment[descriptor.env] = value;
    }
    const values = Object.values(secrets).filter((value): value is string => typeof value === 'string');
    return { options: { ...attempt.options, ...secrets }, environment, values };
  }

  /**
   * Seals the options of attempts stored before secrets were sealed. The descriptors of the
   * executor that made an attempt say which options are secret when its pack is loaded; when it
   * is not (or another pack now provides that executor id), nothing does, so every option is
   * sealed and shown as a marker. Runs at start, before the API answers.
   */
  async sealOptionsInClear(registry: PackRegistry): Promise<{ attempts: number; sealedWhole: number }> {
    const sealed = { attempts: 0, sealedWhole: 0 };
    // In pages: a sealed row leaves the query, so each page starts where the last one ended.
    for (;;) {
      const page = await this.stores.attempts.listWithOptionsInClear(SEAL_PAGE_SIZE);
      if (page.length === 0) return sealed;
      for (const attempt of page) {
        const entry = registry.executor(attempt.executor.id);
        const known = entry !== undefined && entry.packageName === attempt.executor.package;
        const names = known ? secretOptionNames(entry.executor.options) : Object.keys(attempt.options);
        const { shown, secrets } = splitOptions(attempt.options, names);
        await this.stores.attempts.redactStoredOptions(attempt.id, shown, this.seal(attempt.id, secrets));
        sealed.attempts++;
        if (!known && names.length > 0) sealed.sealedWhole++;
      }
    }
  }

  private seal(attemptId: string, secrets: Record<string, unknown>): string | null {
    return Object.keys(secrets).length === 0 ? null : this.box.seal(JSON.stringify(secrets), attemptId);
  }
}
