import { ENV_NAME_PATTERN } from './custom-options.ts';

export interface EnvironmentRequest {
  /** Names from the profile and from the server's settings. */
  passEnv: readonly string[];
  token: string | undefined;
  tokenEnv: string | undefined;
}

export interface AgentEnvironment {
  /** What the run adds to the host's allow-listed environment. */
  env: Record<string, string>;
  /** Mistakes in the profile that stop the run before anything starts. */
  problems: string[];
  /** Worth telling the user, not worth failing for. */
  warnings: string[];
}

/**
 * The environment a custom agent gets on top of the host's allow-list: the server's variables
 * the profile names in passEnv, then the secret `token` under the name `tokenEnv` gives. A
 * secret option's own `env` is fixed when the pack is written, and here each profile's CLI reads
 * its key from a variable of its own, hence the pair.
 */
export function agentEnvironment(request: EnvironmentRequest, hostEnv: NodeJS.ProcessEnv): AgentEnvironment {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const name of new Set(request.passEnv)) {
    if (!ENV_NAME_PATTERN.test(name)) {
      problems.push(`passEnv holds ${JSON.stringify(name)}, which is not an environment variable name (${ENV_NAME_PATTERN.source})`);
      continue;
    }
    const value = hostEnv[name];
    if (value === undefined) warnings.push(`passEnv names ${name}, but the server's environment has no ${name}; the agent runs without it`);
    else env[name] = value;
  }
  if (request.token !== undefined && request.tokenEnv === undefined) {
    problems.push('token is set but tokenEnv is not: name the environment variable the agent reads its key from (e.g. OPENAI_API_KEY)');
  } else if (request.token !== undefined && request.tokenEnv !== undefined) {
    env[request.tokenEnv] = request.token;
  } else if (request.tokenEnv !== undefined) {
    warnings.push(`tokenEnv is ${request.tokenEnv} but no token is set, so the agent gets no ${request.tokenEnv} from this profile`);
  }
  return { env, problems, warnings };
}
