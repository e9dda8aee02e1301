import { ForgeError, type ChecksReport, type GitProviderDefinition, type ProviderContext, type PullRequest, type PullRequestInput, type PullRequestQuery, type PullRequestRef, type ReviewComment } from '@forge-core/sdk';
import type { Logger } from 'pino';
import { invokeHook } from '../plugins/boundary.ts';
import { redactValues } from '../runtime/redact-credentials.ts';
import { providerFetch } from './provider-fetch.ts';
import { describeProvider, type ResolvedProvider } from './provider-resolver.ts';
import type { RequestBudget } from './request-budget.ts';

/** What each hook takes and gives. */
interface Hooks {
  createPullRequest: [PullRequestInput, PullRequest];
  getPullRequest: [PullRequestRef, PullRequest];
  findPullRequest: [PullRequestQuery, PullRequest | null];
  getChecks: [PullRequestRef, ChecksReport];
  listReviewComments: [PullRequestRef, ReviewComment[]];
}
export type ProviderHook = keyof Hooks;

export interface ProviderDriverOptions {
  requestTimeoutMs: number;
  /** Masked in every error and log line, whichever host it belongs to. */
  secrets(): readonly string[];
}

// A hook may read several pages; it gets a few requests' worth of time in all.
const REQUESTS_PER_HOOK = 4;

/**
 * The one way the core calls into a provider pack, the boundary executors get too: each call
 * through `invokeHook` (a timeout, errors naming pack and hook), with a fetch that times out each
 * request, counts it against the host's budget and masks tokens; and the pack's HTTP errors
 * turned into messages that name the provider, the host and what to do.
 */
export class ProviderDriver {
  constructor(
    private readonly budget: RequestBudget,
    private readonly options: ProviderDriverOptions,
    private readonly logger: Logger,
  ) {}

  /** Whether the provider implements an optional hook. */
  has(resolved: ResolvedProvider, hook: ProviderHook): boolean {
    return typeof resolved.entry.provider[hook as keyof GitProviderDefinition] === 'function';
  }

  async call<H extends ProviderHook>(resolved: ResolvedProvider, hook: H, input: Hooks[H][0]): Promise<Hooks[H][1]> {
    const { entry, apiBaseUrl, token } = resolved;
    // The budget is the code host's (as configured under gitHosts), whatever its API's name.
    const host = resolved.remote.host;
    const label = `${entry.id} at ${host}`;
    const site = { plugin: entry.packageName, contribution: `gitProviders.${entry.id}`, hook };
    const log = this.logger.child({ provider: entry.id, host });
    const secrets = this.options.secrets();
    const mask = <T>(value: T): T => redactValues(value, secrets);
    const packLog = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => log[level](mask(data ?? {}), mask(message));
    const packLogger = { debug: packLog('debug'), info: packLog('info'), warn: packLog('warn'), error: packLog('error') };
    this.requireBudget(resolved);
    try {
      // What the host sends back (a CI log, a comment) may quote a token too: it is masked before anyone stores or shows it.
      return mask(await invokeHook(site, this.options.requestTimeoutMs * REQUESTS_PER_HOOK, (signal) => {
        const ctx: ProviderContext = {
          fetch: providerFetch({
            label,
            timeoutMs: this.options.requestTimeoutMs,
            signal,
            secrets,
            log: packLogger,
            onAnswer: (_url, response) => {
              this.budget.spend(host);
              if (response) this.budget.observe(host, response);
            },
          }),
          apiBaseUrl,
          token,
          signal,
          log: packLogger,
        };
        const call = resolved.entry.provider[hook] as (value: Hooks[H][0], context: ProviderContext) => Promise<Hooks[H][1]>;
        return call.call(resolved.entry.provider, input, ctx);
      }));
    } catch (error) {
      const explained = this.explain(resolved, hook, error);
      throw new ForgeError(explained.code, mask(explained.message), explained.details && mask(explained.details));
    }
  }

  /**
   * No request while the host asked to wait, or while Forge's own budget for it is spent, whoever
   * asks (the poller, a person refreshing, an agent opening a pull request): the budget protects
   * the user's token, whose limit is shared with everything else that uses it.
   */
  private requireBudget(resolved: ResolvedProvider): void {
    const host = resolved.remote.host;
    if (this.budget.allows(host, 1)) return;
    const name = describeProvider(resolved);
    const seconds = this.budget.secondsUntil(host, 1);
    const message =
      this.budget.pausedUntil(host) > 0
        ? `${name} asked Forge to wait; it is not asked again for ${seconds} s.`
        : `Forge's request budget for ${name} (${this.budget.perHour(host)} an hour) is spent; try again in ${seconds} s, or raise gitHosts["${host}"].requestsPerHour if the token's limit allows.`;
    throw new ForgeError('FORGE_PROVIDER_RATE_LIMITED', message, { provider: resolved.entry.id, host, retryAfterSeconds: seconds });
  }

  /** A pack's failure as the user should read it: which provider, which host, what to fix. */
  private explain(resolved: ResolvedProvider, hook: ProviderHook, error: unknown): ForgeError {
    const cause = error instanceof ForgeError && error.code === 'FORGE_PLUGIN_HOOK_FAILED' ? (error.cause ?? error) : error;
    if (!(cause instanceof ForgeError) || !cause.code.startsWith('FORGE_PROVIDER_')) return error instanceof ForgeError ? error : new ForgeError('FORGE_PROVIDER_FAILED', String(error));
    const { entry, remote, tokenSource } = resolved;
    const name = describeProvider(resolved);
    const details: Record<string, unknown> = { ...(cause.details ?? {}), provider: entry.id, host: remote.host, hook };
    const status = typeof details['status'] === 'number' ? ` (HTTP ${details['status']})` : '';
    const said = typeof details['hostMessage'] === 'string' ? ` The host said: ${details['hostMessage']}` : '';
    const repository = `${remote.owner}/${remote.repo}`;
    switch (cause.code) {
      case 'FORGE_PROVIDER_AUTH_FAILED':
        return new ForgeError(
          cause.code,
          resolved.token === null
            ? `${name} needs a token${status}, and none is configured. Set ${tokenSource} to a token that may read and write pull requests in ${repository}.${said}`
            : `${name} refused the token from ${tokenSource}${status}. Check that it is valid, not expired, and may read and write pull requests in ${repository}.${said}`,
          details,
        );
      case 'FORGE_PROVIDER_NOT_FOUND':
        return new ForgeError(
          cause.code,
          `${name} found no ${hook === 'createPullRequest' || hook === 'findPullRequest' ? 'repository' : 'pull request or repository'} ${repository}${status}. Check the project's remote URL; a host also answers 404 when the token from ${tokenSource} cannot see a private repository.${said}`,
          details,
        );
      case 'FORGE_PROVIDER_RATE_LIMITED': {
        const seconds = typeof details['retryAfterSeconds'] === 'number' ? details['retryAfterSeconds'] : 60;
        this.budget.pause(remote.host, seconds);
        return new ForgeError(
          cause.code,
          `${name} rate-limited Forge${status}; it may be asked again in ${seconds} s, and the poller waits until then. If this repeats, lower gitHosts["${remote.host}"].requestsPerHour (now ${this.budget.perHour(remote.host)}) to fit the token's limit.${said}`,
          { ...details, retryAfterSeconds: seconds },
        );
      }
      default:
        // The fetch's own errors name the host already.
        return new ForgeError(cause.code, cause.message.includes(remote.host) ? cause.message : `${name}: ${cause.message}`, details);
    }
  }
}
