import { passedEnvironment, type PackLogger } from '@forge-core/sdk';
import { ENV_ENTRY_PATTERN, type AcpOptions } from './acp-options.ts';

/**
 * The environment a generic ACP agent gets on top of the host's allow-list: the server's
 * variables named in passEnv (the setting's and the profile's), the profile's `NAME=value`
 * entries, then the secret token under the name tokenEnv gives. A mistake in the profile is a
 * problem that stops the run before anything starts, in words that say what to fix.
 */
export function acpEnvironment(options: AcpOptions, settingPassEnv: readonly string[], log: Pick<PackLogger, 'warn'>, source?: NodeJS.ProcessEnv): { env: Record<string, string>; problems: string[] } {
  const env = passedEnvironment([...settingPassEnv, ...options.passEnv], source, log);
  const problems: string[] = [];
  for (const entry of options.env) {
    if (!ENV_ENTRY_PATTERN.test(entry)) {
      problems.push(`env holds ${JSON.stringify(entry)}, which is not NAME=value`);
      continue;
    }
    const equals = entry.indexOf('=');
    env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  if (options.token !== undefined && options.token !== '') {
    if (options.tokenEnv === undefined || options.tokenEnv === '') problems.push('token is set but tokenEnv is not: name the environment variable the agent reads its key from');
    else env[options.tokenEnv] = options.token;
  }
  return { env, problems };
}
