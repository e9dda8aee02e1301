import type { PackRegistry } from '../plugins/pack-registry.ts';
import { redactOptions } from '../plugins/executor-options.ts';
import type { Attempt } from '../store/attempt-store.ts';

/** An attempt as clients see it: secret options never leave the server. */
export function attemptView(attempt: Attempt, registry: PackRegistry): Attempt {
  const shape = registry.executor(attempt.executor.id)?.executor.options;
  return { ...attempt, options: redactOptions(shape, attempt.options) };
}
