import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { McpServer } from '@forge-core/sdk';
import { EXECUTOR_ID_PATTERN, MCP_SERVER_NAME_PATTERN } from '@forge-core/sdk';
import Joi from 'joi';
import { DEFAULT_LOG_SAMPLING, type LogSampling } from '../observability/log-sampler.ts';
import { apiUrlSchema } from '../providers/api-url-schema.ts';
import { FEATURE_NAMES, parseFeaturesVariable, type FeatureName } from './features.ts';
import { PROFILE_NAME_PATTERN } from './profile-name.ts';
import { isAllowedTargetEntry } from '../webhooks/target-guard.ts';

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
  /** Gzip answers to loopback peers too (an SSH tunnel or a same-host proxy that does not compress); off: only other hosts get gzip (decision 0043). */
  compressLoopback: boolean;
  logLevel: string;
  /** Info, debug and trace lines of one message past this many a second are sampled (decision 0036); null: never. */
  logSampling: LogSampling | null;
  /** Extra folders holding packs, for plugin development. */
  pluginPaths: string[];
  /** Only packs whose package name matches one of these load ("*" wildcards); null: all. */
  pluginsEnabled: string[] | null;
  /** Packs that never load, by package name ("*" wildcards), on top of `forgecore plugins disable`. */
  pluginsDisabled: string[];
  /** How long a pack may hook after the import: detect() and other short calls. */
  pluginHookTimeoutMs: number;
  /** An agent's event stream silent this long with no process running is abandoned as stuck. */
  agentStreamIdleMs: number;
  /** Bytes that may wait in this process for one SSE client; one with more unread when live events come is disconnected (decision 0019). */
  sseMaxBufferBytes: number;
  /** A finished attempt's worktree is removed this long after it finished (its branch stays). */
  finishedWorktreeRetentionMs: number;
  /** Ready worktrees each project keeps for its next attempts (decision 0042); 0: no pool. */
  worktreePoolSize: number;
  /** The attempt branches of a done or cancelled task are deleted this long after it closed (their commits stay under refs/forge/attempts/). */
  closedBranchRetentionMs: number;
  /** Extra names the Host header may carry besides loopback ones ("name" or "name:port"). */
  allowedHosts: string[];
  /** Browser origins allowed besides this server's own loopback origins ("http://host:port"). */
  allowedOrigins: string[];
  /** How long receiving one request, headers and body, may take before it answers 408. */
  requestTimeoutMs: number;
  /** The key that encrypts secret executor options at rest; created (mode 0600) on first use. */
  secretKeyFile: string;
  /** Events older than this leave the event log; a client resuming from before them is told to resync. */
  eventRetentionMs: number;
  /** The event log keeps at most this many events (the newest). */
  eventRetentionCount: number;
  /** An approval nobody answers in this time is denied (expired). */
  approvalTimeoutMs: number;
  /** MCP sessions (protocol 2025-11-25, over HTTP) open at once; a new one beyond it is refused until one ends. */
  mcpMaxSessions: number;
  /** An MCP session with no request and no open stream for this long is closed (its client re-initializes). */
  mcpSessionIdleMs: number;
  /** Each executor's settings, by executor id, checked against its `config` descriptors when its pack loads. */
  executors: Record<string, Record<string, unknown>>;
  /** MCP servers every agent run is given (its pack passes them in the CLI's per-run form). */
  mcpServers: McpServer[];
  /** Whether agent runs are also given Forge Core's own MCP server (named forge-core), to make and follow subtasks. */
  mcpForAgents: boolean;
  /** Named executor options, read-only through the API (profiles made through the API live in the database). */
  executorProfiles: Record<string, ConfiguredProfile>;
  /** Code hosts by host name (as in remote URLs): which provider serves a self-hosted one, its API URL, its token. */
  gitHosts: Record<string, GitHostSetting>;
  /** One request to a code host's API may take this long. */
  providerRequestTimeoutMs: number;
  /** Requests per hour Forge sends to one code host at most, unless the host's setting says otherwise. */
  providerRequestsPerHour: number;
  /** One pull request is polled at most this often (more rarely when the request budget needs it). */
  pullRequestPollIntervalMs: number;
  /** Features still settling, switched on or off (config.json's `features`, FORGE_FEATURES); unnamed ones are on. */
  features: Partial<Record<FeatureName, boolean>>;
  /** Running attempts at most per executor id, on top of the global and per-project caps (changeable at run time through the API). */
  executorMaxConcurrentAttempts: Record<string, number>;
  /** An attempt whose agent reports a rate limit or quota is queued again this many times at most before it fails. */
  agentRetryMaxAttempts: number;
  /** The first wait before such a retry when the agent gives no retry-after; it doubles with each retry, with jitter. */
  agentRetryBaseMs: number;
  /** The longest wait before a retry. */
  agentRetryMaxMs: number;
  /** Webhooks may be sent to private, loopback and link-local addresses (decision 0033); off: only public ones. */
  webhookAllowPrivateTargets: boolean;
  /** Host names, addresses and CIDR ranges webhooks may reach although private ("hooks.internal", "10.1.0.0/16"). */
  webhookAllowedTargets: string[];
  /** One webhook delivery attempt may take this long, connection and answer. */
  webhookTimeoutMs: number;
  /** Attempts of one delivery, the first included, before it is marked failed. */
  webhookMaxAttempts: number;
  /** The ceiling of the first retry's wait; it doubles with each failed attempt (full jitter). */
  webhookRetryBaseMs: number;
  /** The longest wait before a retry. */
  webhookRetryMaxMs: number;
}

/** The configuration of one code host. The token never leaves the server: not in answers, logs or git's config. */
export interface GitHostSetting {
  /** The provider id serving it (self-hosted instances: "github" for GitHub Enterprise Server, "gitlab", "gitea"). */
  provider?: string;
  /** Its REST API root, e.g. "https://git.example.com/api/v4"; default: the provider's for the host. */
  apiUrl?: string;
  /** The token for this host, written here… */
  token?: string;
  /** …or the environment variable that holds it. */
  tokenEnv?: string;
  /** Where git pushes to it go when not `https://<host>` (another port, plain http): the only other origin its token is sent to. */
  gitUrl?: string;
  requestsPerHour?: number;
}

/** An executor profile as the configuration file gives it. */
export interface ConfiguredProfile {
  executor: string;
  description?: string;
  options: Record<string, unknown>;
}

const stringMap = Joi.object().pattern(/^/, Joi.string().allow(''));
const mcpServerName = Joi.string().pattern(MCP_SERVER_NAME_PATTERN).required();
const stdioMcpServer = Joi.object({
  name: mcpServerName,
  transport: Joi.string().valid('stdio').required(),
  command: Joi.string().required(),
  args: Joi.array().items(Joi.string()).default([]),
  env: stringMap.default({}),
});
const httpMcpServer = Joi.object({
  name: mcpServerName,
  transport: Joi.string().valid('http').required(),
  url: Joi.string().uri({ scheme: ['http', 'https'] }).required(),
  headers: stringMap.default({}),
});

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
  compressLoopback: Joi.boolean().truthy('1').falsy('0'),
  logLevel: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  // "off" (or false), a number of lines a second, or both numbers.
  logSampling: Joi.alternatives(
    Joi.valid(false, 'off'),
    Joi.number().integer().min(1).max(1_000_000),
    Joi.object({ perSecond: Joi.number().integer().min(1).max(1_000_000), thenOneIn: Joi.number().integer().min(1).max(1_000_000) }),
  ).messages(Object.fromEntries(['alternatives.types', 'alternatives.match'].map((code) => [code, 'logSampling must be "off", a number of lines a second, or an object with perSecond and thenOneIn (numbers)']))),
  pluginPaths: Joi.array().items(Joi.string()),
  pluginsEnabled: Joi.array().items(Joi.string().max(214)),
  pluginsDisabled: Joi.array().items(Joi.string().max(214)),
  pluginHookTimeoutMs: Joi.number().integer().min(10).max(600_000),
  agentStreamIdleMs: Joi.number().integer().min(10).max(86_400_000),
  // Below 64 KiB the socket's own buffers (16 KiB each side of the stream) would count against it.
  sseMaxBufferBytes: Joi.number().integer().min(65_536).max(1_073_741_824),
  finishedWorktreeRetentionMs: Joi.number().integer().min(0),
  worktreePoolSize: Joi.number().integer().min(0).max(64),
  closedBranchRetentionMs: Joi.number().integer().min(0),
  allowedHosts: Joi.array().items(
    Joi.string()
      .lowercase()
      .pattern(/^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/)
      .message('each allowed host must be a host name or address with an optional port, e.g. forge.internal or forge.internal:8887'),
  ),
  allowedOrigins: Joi.array().items(
    Joi.string()
      .lowercase()
      .pattern(/^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/)
      .message('each allowed origin must be scheme://host[:port] with no path, as a browser sends it, e.g. http://localhost:5173'),
  ),
  requestTimeoutMs: Joi.number().integer().min(100).max(3_600_000),
  secretKeyFile: Joi.string(),
  eventRetentionMs: Joi.number().integer().min(1000),
  eventRetentionCount: Joi.number().integer().min(100),
  approvalTimeoutMs: Joi.number().integer().min(100).max(7 * 86_400_000),
  mcpMaxSessions: Joi.number().integer().min(1).max(100_000),
  mcpSessionIdleMs: Joi.number().integer().min(1000).max(7 * 86_400_000),
  executors: Joi.object().pattern(EXECUTOR_ID_PATTERN, Joi.object().unknown(true)),
  mcpForAgents: Joi.boolean(),
  mcpServers: Joi.array()
    .items(Joi.alternatives().conditional('.transport', { is: 'http', then: httpMcpServer, otherwise: stdioMcpServer }))
    .unique('name'),
  executorProfiles: Joi.object().pattern(
    PROFILE_NAME_PATTERN,
    Joi.object({ executor: Joi.string().pattern(EXECUTOR_ID_PATTERN).required(), description: Joi.string().max(1000), options: Joi.object().unknown(true).default({}) }),
  ),
  gitHosts: Joi.object()
    .custom((hosts: Record<string, unknown>, helpers) => {
      const wrong = Object.keys(hosts).find((host) => !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/.test(host));
      return wrong === undefined ? hosts : helpers.message({ custom: `gitHosts key "${wrong}" must be a host name alone, as in the remote URL, without scheme, port or path (e.g. "git.example.com"); a port goes into its apiUrl` });
    })
    .pattern(
      Joi.string(),
      Joi.object({
        provider: Joi.string().pattern(EXECUTOR_ID_PATTERN),
        apiUrl: apiUrlSchema,
        token: Joi.string().min(1).max(4096),
        tokenEnv: Joi.string().pattern(/^[A-Za-z_][A-Za-z0-9_]*$/),
        gitUrl: apiUrlSchema,
        requestsPerHour: Joi.number().integer().min(1).max(1_000_000),
      }).oxor('token', 'tokenEnv'),
    ),
  providerRequestTimeoutMs: Joi.number().integer().min(100).max(600_000),
  providerRequestsPerHour: Joi.number().integer().min(1).max(1_000_000),
  pullRequestPollIntervalMs: Joi.number().integer().min(1000).max(86_400_000),
  features: Joi.object(Object.fromEntries(FEATURE_NAMES.map((name) => [name, Joi.boolean()]))),
  executorMaxConcurrentAttempts: Joi.object().pattern(EXECUTOR_ID_PATTERN, Joi.number().integer().min(1).max(1000)),
  agentRetryMaxAttempts: Joi.number().integer().min(0).max(100),
  agentRetryBaseMs: Joi.number().integer().min(100).max(86_400_000),
  agentRetryMaxMs: Joi.number().integer().min(100).max(7 * 86_400_000),
  webhookAllowPrivateTargets: Joi.boolean().truthy('1').falsy('0'),
  webhookAllowedTargets: Joi.array().items(
    Joi.string()
      .custom((entry: string, helpers) => (isAllowedTargetEntry(entry) ? entry : helpers.message({ custom: `webhookAllowedTargets: "${entry}" is not a host name, an IP address or a CIDR range (e.g. hooks.internal, 10.1.2.3, 10.1.0.0/16)` }))),
  ),
  webhookTimeoutMs: Joi.number().integer().min(100).max(300_000),
  webhookMaxAttempts: Joi.number().integer().min(1).max(100),
  webhookRetryBaseMs: Joi.number().integer().min(10).max(86_400_000),
  webhookRetryMaxMs: Joi.number().integer().min(10).max(7 * 86_400_000),
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
  FORGE_COMPRESS_LOOPBACK: 'compressLoopback',
  FORGE_LOG_LEVEL: 'logLevel',
  FORGE_LOG_SAMPLING: 'logSampling',
  FORGE_PLUGIN_PATHS: 'pluginPaths',
  FORGE_PLUGINS_ENABLED: 'pluginsEnabled',
  FORGE_PLUGINS_DISABLED: 'pluginsDisabled',
  FORGE_PLUGIN_HOOK_TIMEOUT_MS: 'pluginHookTimeoutMs',
  FORGE_AGENT_STREAM_IDLE_MS: 'agentStreamIdleMs',
  FORGE_SSE_MAX_BUFFER_BYTES: 'sseMaxBufferBytes',
  FORGE_FINISHED_WORKTREE_RETENTION_MS: 'finishedWorktreeRetentionMs',
  FORGE_WORKTREE_POOL_SIZE: 'worktreePoolSize',
  FORGE_CLOSED_BRANCH_RETENTION_MS: 'closedBranchRetentionMs',
  FORGE_ALLOWED_HOSTS: 'allowedHosts',
  FORGE_ALLOWED_ORIGINS: 'allowedOrigins',
  FORGE_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  FORGE_SECRET_KEY_FILE: 'secretKeyFile',
  FORGE_EVENT_RETENTION_MS: 'eventRetentionMs',
  FORGE_EVENT_RETENTION_COUNT: 'eventRetentionCount',
  FORGE_APPROVAL_TIMEOUT_MS: 'approvalTimeoutMs',
  FORGE_MCP_MAX_SESSIONS: 'mcpMaxSessions',
  FORGE_MCP_FOR_AGENTS: 'mcpForAgents',
  FORGE_MCP_SESSION_IDLE_MS: 'mcpSessionIdleMs',
  FORGE_PROVIDER_REQUEST_TIMEOUT_MS: 'providerRequestTimeoutMs',
  FORGE_PROVIDER_REQUESTS_PER_HOUR: 'providerRequestsPerHour',
  FORGE_PULL_REQUEST_POLL_INTERVAL_MS: 'pullRequestPollIntervalMs',
  FORGE_AGENT_RETRY_MAX_ATTEMPTS: 'agentRetryMaxAttempts',
  FORGE_AGENT_RETRY_BASE_MS: 'agentRetryBaseMs',
  FORGE_AGENT_RETRY_MAX_MS: 'agentRetryMaxMs',
  FORGE_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'webhookAllowPrivateTargets',
  FORGE_WEBHOOK_ALLOWED_TARGETS: 'webhookAllowedTargets',
  FORGE_WEBHOOK_TIMEOUT_MS: 'webhookTimeoutMs',
  FORGE_WEBHOOK_MAX_ATTEMPTS: 'webhookMaxAttempts',
  FORGE_WEBHOOK_RETRY_BASE_MS: 'webhookRetryBaseMs',
  FORGE_WEBHOOK_RETRY_MAX_MS: 'webhookRetryMaxMs',
};

/** Settings given in the environment as lists: paths split on ":", package names on ",". */
const LIST_SEPARATORS: Partial<Record<keyof ForgeConfig, string>> = {
  pluginPaths: ':',
  pluginsEnabled: ',',
  pluginsDisabled: ',',
  allowedHosts: ',',
  allowedOrigins: ',',
  webhookAllowedTargets: ',',
};

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
  if (env.FORGE_FEATURES) {
    try {
      fromEnv.features = { ...(fromFile.features as object | undefined), ...parseFeaturesVariable(env.FORGE_FEATURES) };
    } catch (error) {
      throw new ConfigError(`Invalid configuration (environment): ${(error as Error).message}`);
    }
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
    compressLoopback: value.compressLoopback ?? false,
    logLevel: value.logLevel ?? 'info',
    logSampling: logSamplingOf(value.logSampling),
    pluginPaths: (value.pluginPaths ?? []).map((p: string) => resolve(home, p)),
    pluginsEnabled: value.pluginsEnabled ?? null,
    pluginsDisabled: value.pluginsDisabled ?? [],
    pluginHookTimeoutMs: value.pluginHookTimeoutMs ?? 5_000,
    agentStreamIdleMs: value.agentStreamIdleMs ?? 60_000,
    sseMaxBufferBytes: value.sseMaxBufferBytes ?? 262_144,
    finishedWorktreeRetentionMs: value.finishedWorktreeRetentionMs ?? 7 * 86_400_000,
    worktreePoolSize: value.worktreePoolSize ?? 0,
    closedBranchRetentionMs: value.closedBranchRetentionMs ?? 0,
    allowedHosts: value.allowedHosts ?? [],
    allowedOrigins: value.allowedOrigins ?? [],
    requestTimeoutMs: value.requestTimeoutMs ?? 30_000,
    secretKeyFile: resolve(home, value.secretKeyFile ?? 'secret.key'),
    eventRetentionMs: value.eventRetentionMs ?? 7 * 86_400_000,
    eventRetentionCount: value.eventRetentionCount ?? 100_000,
    approvalTimeoutMs: value.approvalTimeoutMs ?? 600_000,
    mcpMaxSessions: value.mcpMaxSessions ?? 100,
    mcpSessionIdleMs: value.mcpSessionIdleMs ?? 1_800_000,
    executors: value.executors ?? {},
    mcpServers: value.mcpServers ?? [],
    mcpForAgents: value.mcpForAgents ?? true,
    executorProfiles: value.executorProfiles ?? {},
    // Host names are case-insensitive; a remote's is read in lower case, so the keys are too.
    gitHosts: Object.fromEntries(Object.entries(value.gitHosts ?? {}).map(([host, setting]) => [host.toLowerCase(), setting as GitHostSetting])),
    providerRequestTimeoutMs: value.providerRequestTimeoutMs ?? 30_000,
    // Under Bitbucket Cloud's 1,000 an hour, the smallest of the four hosts' limits, with room for the user's own use of the token.
    providerRequestsPerHour: value.providerRequestsPerHour ?? 900,
    pullRequestPollIntervalMs: value.pullRequestPollIntervalMs ?? 60_000,
    features: value.features ?? {},
    executorMaxConcurrentAttempts: value.executorMaxConcurrentAttempts ?? {},
    agentRetryMaxAttempts: value.agentRetryMaxAttempts ?? 5,
    agentRetryBaseMs: value.agentRetryBaseMs ?? 30_000,
    agentRetryMaxMs: value.agentRetryMaxMs ?? 1_800_000,
    webhookAllowPrivateTargets: value.webhookAllowPrivateTargets ?? false,
    webhookAllowedTargets: value.webhookAllowedTargets ?? [],
    webhookTimeoutMs: value.webhookTimeoutMs ?? 10_000,
    // With a 1 s base doubling to a 1 h cap, twelve attempts span about an hour and a quarter at most.
    webhookMaxAttempts: value.webhookMaxAttempts ?? 12,
    webhookRetryBaseMs: value.webhookRetryBaseMs ?? 1_000,
    webhookRetryMaxMs: value.webhookRetryMaxMs ?? 3_600_000,
  };
  if (!isAbsolute(resolved.worktreesDir)) resolved.worktreesDir = resolve(home, resolved.worktreesDir);
  if (!isLoopback(resolved.host) && !resolved.apiToken) {
    throw new ConfigError(
      `Refusing to bind to ${resolved.host} without an API token: set FORGE_API_TOKEN (16+ characters) or bind to 127.0.0.1.`,
    );
  }
  return resolved;
}

function logSamplingOf(setting: false | 'off' | number | Partial<LogSampling> | undefined): LogSampling | null {
  if (setting === false || setting === 'off') return null;
  if (typeof setting === 'number') return { ...DEFAULT_LOG_SAMPLING, perSecond: setting };
  return { ...DEFAULT_LOG_SAMPLING, ...setting };
}

/** A loopback bind address or name: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
