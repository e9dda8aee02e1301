import type { PackLogger } from './context.ts';
import { ENV_VAR_NAME_PATTERN } from './options.ts';

/**
 * The server's environment variables a `passEnv` setting names, for an agent that otherwise sees
 * only the host's allow-list. A name that is not an environment variable name is skipped with a
 * warning; a variable the server does not have is left out.
 */
export function passedEnvironment(
  names: readonly string[],
  source: Readonly<Record<string, string | undefined>> = process.env,
  log?: Pick<PackLogger, 'warn'>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of new Set(names)) {
    if (!ENV_VAR_NAME_PATTERN.test(name)) log?.warn(`passEnv: ${JSON.stringify(name)} is not an environment variable name (${ENV_VAR_NAME_PATTERN}); skipped`);
    else if (source[name] !== undefined) env[name] = source[name];
  }
  return env;
}
