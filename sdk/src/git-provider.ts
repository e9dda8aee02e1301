import type { PackLogger } from './context.ts';
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

/** How the host asks: by default only the provider's own public hosts are claimed. */
export interface MatchRemoteOptions {
  /**
   * The remote's host is configured as an instance of this provider (self-hosted: GitHub
   * Enterprise Server, GitLab self-managed, a Gitea or Forgejo server): read any host with the
   * provider's path grammar.
   */
  anyHost?: boolean;
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
  /** The commit the pull request's head branch points at, when the host says; checks are read for it. */
  headSha?: string;
}

/** The pull request of a branch: what `findPullRequest` looks for. */
export interface PullRequestQuery {
  remote: RemoteRef;
  /** The branch with the changes. */
  head: string;
  /** The branch it merges into. */
  base: string;
}

/** One CI check, status or pipeline job, reduced to what a person or an agent acts on. */
export type CheckState = 'pending' | 'success' | 'failure' | 'skipped';

export interface Check {
  name: string;
  state: CheckState;
  url?: string;
  /** Why it failed, as the host gives it: a job log's tail, a check run's output. At most a few KB. */
  summary?: string;
}

/** All checks of a pull request's head commit and what they add up to. */
export interface ChecksReport {
  /** `none` when no check ran; `failure` when any failed; `pending` while any runs; else `success`. */
  state: 'none' | 'pending' | 'success' | 'failure';
  /** The commit the checks ran on. */
  sha: string;
  checks: Check[];
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
  /** The body as text when it is not JSON (a job log), else absent. */
  text?: string;
}

/** What the host lends a provider: an HTTP client with timeouts and redaction, the user's token. */
export interface ProviderContext {
  fetch(url: string, request?: ProviderRequest): Promise<ProviderResponse>;
  /**
   * Where this host's REST API lives, without a trailing slash: the base URL the user configured
   * for the host, else the provider's `defaultApiUrl` for it ("https://api.github.com").
   */
  apiBaseUrl: string;
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
  /**
   * Where the user's token comes from: the environment variable the host reads it from, and the
   * user name git sends with it as a password when pushing over https ("x-access-token" when absent).
   */
  auth: { env: string; gitUsername?: string };
  /** The repository a remote URL points at when this provider serves it, else null. Pure and synchronous. */
  matchRemote(url: string, options?: MatchRemoteOptions): RemoteRef | null;
  /** The REST API root of a host when the user configured none: "https://api.github.com" for github.com. */
  defaultApiUrl?(remote: RemoteRef): string;
  createPullRequest(input: PullRequestInput, ctx: ProviderContext): Promise<PullRequest>;
  getPullRequest(ref: PullRequestRef, ctx: ProviderContext): Promise<PullRequest>;
  /** The most recent pull request from `head` into `base` in any state, or null: how a host finds one it opened before a crash. */
  findPullRequest?(query: PullRequestQuery, ctx: ProviderContext): Promise<PullRequest | null>;
  /** The CI checks of the pull request's head commit. */
  getChecks?(ref: PullRequestRef, ctx: ProviderContext): Promise<ChecksReport>;
  /** Every review comment, all pages, oldest first. */
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
  for (const hook of ['defaultApiUrl', 'findPullRequest', 'getChecks', 'listReviewComments'] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== 'function') {
      throw new TypeError(`defineGitProvider(${definition.id}): ${hook} must be a function when given, received ${typeof definition[hook]}`);
    }
  }
  const gitUsername = definition.auth?.gitUsername;
  if (gitUsername !== undefined && (typeof gitUsername !== 'string' || !/^[\w.@-]+$/.test(gitUsername))) {
    throw new TypeError(`defineGitProvider(${definition.id}): auth.gitUsername must be a plain user name, received ${JSON.stringify(gitUsername)}`);
  }
  if (definition.capabilities.reviewComments && typeof definition.listReviewComments !== 'function') {
    throw new TypeError(`defineGitProvider(${definition.id}): capabilities.reviewComments is true but listReviewComments is not a function`);
  }
  if (typeof definition.auth?.env !== 'string' || !ENV_VAR_NAME_PATTERN.test(definition.auth.env)) {
    throw new TypeError(`defineGitProvider(${definition.id}): auth.env must name an environment variable, received ${JSON.stringify(definition.auth?.env)}`);
  }
  return Object.freeze({ ...definition, $$type: GIT_PROVIDER_BRAND, contractVersion: CONTRACT_MAJOR });
}
