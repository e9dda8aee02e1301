import type { PackLogger } from './context.ts';
import { ForgeError } from './errors.ts';
import { EXECUTOR_ID_PATTERN } from './executor.ts';
import { ENV_VAR_NAME_PATTERN } from './options.ts';
import { CONTRACT_MAJOR } from './version.ts';

/** A repository on a code host, as read from a git remote URL. */
export interface RemoteRef {
  /** The host name, lowercase, without port: "github.com", "gitlab.example.org". */
  host: string;
  /** The owner, group or workspace; nested GitLab groups keep their slashes ("group/sub"). */
  owner: string;
  repo: string;
}

export interface GitProviderCapabilities {
  /** Pull requests can be opened as drafts. */
  draftPullRequests: boolean;
  /** `listReviewComments` is implemented. */
  reviewComments: boolean;
}

/** Every capability flag, kept in step with the interface by the compiler. */
export const GIT_PROVIDER_CAPABILITIES: readonly (keyof GitProviderCapabilities)[] = Object.freeze(
  Object.keys({ draftPullRequests: 1, reviewComments: 1 } satisfies Record<keyof GitProviderCapabilities, 1>) as (keyof GitProviderCapabilities)[],
);

export interface PullRequestInput {
  remote: RemoteRef;
  title: string;
  body?: string;
  /** The branch with the changes (the attempt's branch), already pushed. */
  head: string;
  /** The branch to merge into. */
  base: string;
  draft?: boolean;
}

export interface PullRequestRef {
  remote: RemoteRef;
  number: number;
}

export type PullRequestState = 'open' | 'closed' | 'merged';

export interface PullRequest {
  number: number;
  url: string;
  state: PullRequestState;
  title: string;
  head: string;
  base: string;
  draft: boolean;
}

export interface ReviewComment {
  id: string;
  author: string;
  body: string;
  createdAt: string;
  path?: string;
  line?: number;
  url?: string;
}

export interface ProviderRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface ProviderResponse {
  status: number;
  /** Header names in lowercase. */
  headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON, or null when it is empty or not JSON. */
  body: unknown;
}

/** What the host lends a provider: an HTTP client with timeouts and redaction, the user's token. */
export interface ProviderContext {
  fetch(url: string, request?: ProviderRequest): Promise<ProviderResponse>;
  /** The token configured for this provider, or null. Never log it: the host redacts it, a pack must not copy it elsewhere. */
  token: string | null;
  signal: AbortSignal;
  log: PackLogger;
}

export interface GitProviderDefinition {
  /** Unique across every installed pack: lowercase letters, digits and dashes. */
  id: string;
  displayName: string;
  description?: string;
  capabilities: GitProviderCapabilities;
  /** Where the user's token comes from: the environment variable the host reads it from. */
  auth: { env: string };
  /** The repository a remote URL points at when this provider serves it, else null. Pure and synchronous. */
  matchRemote(url: string): RemoteRef | null;
  createPullRequest(input: PullRequestInput, ctx: ProviderContext): Promise<PullRequest>;
  getPullRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<PullRequest>;
  listReviewComments?(ref: PullRequestRef, ctx: ProviderContext): Promise<ReviewComment[]>;
}

export const GIT_PROVIDER_BRAND = '@forge-core/GitProvider';

export type GitProvider = Readonly<GitProviderDefinition> & {
  readonly $$type: typeof GIT_PROVIDER_BRAND;
  readonly contractVersion: typeof CONTRACT_MAJOR;
};

/** Executors and providers share one id grammar. */
export const GIT_PROVIDER_ID_PATTERN = EXECUTOR_ID_PATTERN;

/** Brands and freezes a git provider definition after cheap shape checks with a path in the message. */
export function defineGitProvider(definition: GitProviderDefinition): GitProvider {
  if (!GIT_PROVIDER_ID_PATTERN.test(definition.id)) {
    throw new TypeError(`defineGitProvider: id must match ${GIT_PROVIDER_ID_PATTERN}, received ${JSON.stringify(definition.id)}`);
  }
  for (const hook of ['matchRemote', 'createPullRequest', 'getPullRequest'] as const) {
    if (typeof definition[hook] !== 'function') {
      throw new TypeError(`defineGitProvider(${definition.id}): ${hook} must be a function, received ${typeof definition[hook]}`);
    }
  }
  if (definition.capabilities.reviewComments && typeof definition.listReviewComments !== 'function') {
    throw new TypeError(`defineGitProvider(${definition.id}): capabilities.reviewComments is true but listReviewComments is not a function`);
  }
  if (typeof definition.auth?.env !== 'string' || !ENV_VAR_NAME_PATTERN.test(definition.auth.env)) {
    throw new TypeError(`defineGitProvider(${definition.id}): auth.env must name an environment variable, received ${JSON.stringify(definition.auth?.env)}`);
  }
  return Object.freeze({ ...definition, $$type: GIT_PROVIDER_BRAND, contractVersion: CONTRACT_MAJOR });
}

/**
 * The error a provider throws for a failed HTTP exchange, with the catalogue code a client can
 * act on: 401/403 → auth, 404 → not found, 429 (or 403 with no quota left) → rate limited.
 */
export function providerHttpError(providerId: string, what: string, response: ProviderResponse): ForgeError {
  const retryAfter = Number(response.headers['retry-after']);
  const details = { provider: providerId, status: response.status, ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}) };
  const rateLimited = response.status === 429 || (response.status === 403 && response.headers['x-ratelimit-remaining'] === '0');
  if (rateLimited) return new ForgeError('FORGE_PROVIDER_RATE_LIMITED', `${providerId}: ${what} was rate limited; try again later.`, details);
  if (response.status === 401 || response.status === 403) {
    return new ForgeError('FORGE_PROVIDER_AUTH_FAILED', `${providerId}: ${what} was refused (HTTP ${response.status}); check the token and its scopes.`, details);
  }
  if (response.status === 404) return new ForgeError('FORGE_PROVIDER_NOT_FOUND', `${providerId}: ${what} found nothing (HTTP 404).`, details);
  return new ForgeError('FORGE_PROVIDER_FAILED', `${providerId}: ${what} failed with HTTP ${response.status}.`, details);
}
