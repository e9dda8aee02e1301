import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import Joi from 'joi';

/**
 * The one configuration loader. Environment variables win over `$FORGE_HOME/config.json`, which
 * wins over defaults that work on a laptop with nothing set.
 */
export interface ForgeConfig {
  home: string;
  host: string;
  port: number;
  /** The embedded SQLite database file. */
  databaseUrl: string;
  worktreesDir: string;
  /** Needed to bind anywhere but loopback; when set, every route but health requires it. */
  apiToken: string | undefined;
  nodeId: string;
  maxConcurrentAttempts: number;
  reconcileIntervalMs: number;
  branchPrefix: string;
  /** Validate every response against its schema: on in tests, off in production (cost on hot lists). */
  validateResponses: boolean;
  logLevel: string;
  /** Extra folders holding packs, for plugin development. */
  pluginPaths: string[];
  /** Only packs whose package name matches one of these load ("*" wildcards); null: all. */
  pluginsEnabled: string[] | null;
  /** Packs that never load, by package name ("*" wildcards), on top of `forge plugins disable`. */
  pluginsDisabled: string[];
  /** How long a pack may hook after the import: detect() and other short calls. */
  pluginHookTimeoutMs: number;
  /** An agent's event stream silent this long with no process running is abandoned as stuck. */
  agentStreamIdleMs: number;
}

const fileSchema = Joi.object({
  host: Joi.string(),
  port: Joi.number().integer().min(0).max(65535),
  databaseUrl: Joi.string()
    .pattern(/^postgres(ql)?:/, { invert: true })
    .message('PostgreSQL is not supported yet; set FORGE_DATABASE_URL to a SQLite file path'),
  worktreesDir: Joi.string(),
  apiToken: Joi.string().min(16),
  nodeId: Joi.string().pattern(/^[A-Za-z0-9._-]{1,64}$/),
  maxConcurrentAttempts: Joi.number().integer().min(1).max(1000),
  reconcileIntervalMs: Joi.number().integer().min(1000),
  branchPrefix: Joi.string().pattern(/^[a-z0-9][a-z0-9._-]{0,30}$/),
  validateResponses: Joi.boolean().truthy('1').falsy('0'),
  logLevel: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  pluginPaths: Joi.array().items(Joi.string()),
  pluginsEnabled: Joi.array().items(Joi.string().max(214)),
  pluginsDisabled: Joi.array().items(Joi.string().max(214)),
  pluginHookTimeoutMs: Joi.number().integer().min(10).max(600_000),
  agentStreamIdleMs: Joi.number().integer().min(10).max(86_400_000),
}).unknown(false);

const envNames: Record<string, keyof ForgeConfig> = {
  FORGE_HOST: 'host',
  FORGE_PORT: 'port',
  FORGE_DATABASE_URL: 'databaseUrl',
  FORGE_WORKTREES_DIR: 'worktreesDir',
  FORGE_API_TOKEN: 'apiToken',
  FORGE_NODE_ID: 'nodeId',
  FORGE_MAX_CONCURRENT_ATTEMPTS: 'maxConcurrentAttempts',
  FORGE_RECONCILE_INTERVAL_MS: 'reconcileIntervalMs',
  FORGE_BRANCH_PREFIX: 'branchPrefix',
  FORGE_VALIDATE_RESPONSES: 'validateResponses',
  FORGE_LOG_LEVEL: 'logLevel',
  FORGE_PLUGIN_PATHS: 'pluginPaths',
  FORGE_PLUGINS_ENABLED: 'pluginsEnabled',
  FORGE_PLUGINS_DISABLED: 'pluginsDisabled',
  FORGE_PLUGIN_HOOK_TIMEOUT_MS: 'pluginHookTimeoutMs',
  FORGE_AGENT_STREAM_IDLE_MS: 'agentStreamIdleMs',
};

/** Settings given in the environment as lists: paths split on ":", package names on ",". */
const LIST_SEPARATORS: Partial<Record<keyof ForgeConfig, string>> = { pluginPaths: ':', pluginsEnabled: ',', pluginsDisabled: ',' };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ForgeConfig {
  const home = resolve(env.FORGE_HOME ?? join(homedir(), '.forge'));
  const file = join(home, 'config.json');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}. Fix the JSON or remove the file.`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(envNames)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const separator = LIST_SEPARATORS[key];
    fromEnv[key] = separator ? value.split(separator).map((item) => item.trim()).filter(Boolean) : value;
  }
  const merged = { ...fromFile, ...fromEnv };
  const { error, value } = fileSchema.validate(merged, { convert: true, abortEarly: false });
  if (error) {
    const problems = error.details.map((d) => `${d.path.join('.')}: ${d.message}`).join('; ');
    throw new ConfigError(`Invalid configuration (environment or ${file}): ${problems}`);
  }
  const resolved: ForgeConfig = {
    home,
    host: value.host ?? '127.0.0.1',
    port: value.port ?? 8887,
    databaseUrl: value.databaseUrl ?? join(home, 'forge.sqlite'),
    worktreesDir: value.worktreesDir ?? join(home, 'worktrees'),
    apiToken: value.apiToken,
    nodeId: value.nodeId ?? 'local',
    maxConcurrentAttempts: value.maxConcurrentAttempts ?? 16,
    reconcileIntervalMs: value.reconcileIntervalMs ?? 60_000,
    branchPrefix: value.branchPrefix ?? 'forge',
    validateResponses: value.validateResponses ?? false,
    logLevel: value.logLevel ?? 'info',
    pluginPaths: (value.pluginPaths ?? []).map((p: string) => resolve(home, p)),
    pluginsEnabled: value.pluginsEnabled ?? null,
    pluginsDisabled: value.pluginsDisabled ?? [],
    pluginHookTimeoutMs: value.pluginHookTimeoutMs ?? 5_000,
    agentStreamIdleMs: value.agentStreamIdleMs ?? 60_000,
  };
  if (!isAbsolute(resolved.worktreesDir)) resolved.worktreesDir = resolve(home, resolved.worktreesDir);
  if (!isLoopback(resolved.host) && !resolved.apiToken) {
    throw new ConfigError(
      `Refusing to bind to ${resolved.host} without an API token: set FORGE_API_TOKEN (16+ characters) or bind to 127.0.0.1.`,
    );
  }
  return resolved;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
