import { ForgeError, parseGitRemote, type RemoteRef } from '@forge-core/sdk';
import type { GitHostSetting } from '../config/config.ts';
import type { PushCredentials } from '../git/push-with-token.ts';
import type { GitProviderEntry, PackRegistry } from '../plugins/pack-registry.ts';
import type { Project } from '../store/project-store.ts';

export interface GitProvidersOverview {
  providers: {
    id: string;
    displayName: string;
    description: string | null;
    package: { name: string; version: string };
    capabilities: Record<string, boolean>;
    tokenEnv: string;
    tokenConfigured: boolean;
  }[];
  hosts: { host: string; provider: string | null; apiUrl: string | null; tokenSource: string | null; tokenConfigured: boolean; requestsPerHour: number | null }[];
}

/** The code host behind a project, and how to talk to it. */
export interface ResolvedProvider {
  entry: GitProviderEntry;
  remote: RemoteRef;
  apiBaseUrl: string;
  token: string | null;
  /** Where the token comes from, for messages (never the token): "GITHUB_TOKEN", 'gitHosts["git.example.com"].token'. */
  tokenSource: string;
  /** The user name git sends with the token over https. */
  gitUsername: string;
}

/**
 * Which provider serves a project, from (in order) the project's own `gitProvider`, the
 * configured `gitHosts` entry of its remote's host, or the provider that claims the remote as
 * one of its public hosts. The API URL: the project's, the host's setting, the provider's default.
 *
 * Tokens are bound to hosts, so an API client cannot send one elsewhere: a provider's own
 * variable (GITHUB_TOKEN) is used only for the provider's public hosts, a `gitHosts` token only
 * for that host; and with a token, the API URL must be on the origin configured for the host or
 * the provider's default for it (api.github.com for github.com).
 */
export class ProviderResolver {
  constructor(
    private readonly registry: PackRegistry,
    private readonly hosts: Readonly<Record<string, GitHostSetting>>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  resolve(project: Project): ResolvedProvider {
    const remoteUrl = project.remoteUrl;
    if (!remoteUrl) {
      throw notConfigured(`Project "${project.name}" has no remote URL, so no code host serves it; add an "origin" remote to ${project.repoPath} and set the project's remoteUrl.`);
    }
    const { entry, remote, publicHost } = this.#provider(project, remoteUrl);
    const setting = this.hosts[remote.host];
    const name = `${entry.id} at ${remote.host}`;
    const defaultUrl = publicHost || setting ? entry.provider.defaultApiUrl?.(remote) : undefined;
    const apiBaseUrl = (project.gitProviderApiUrl ?? setting?.apiUrl ?? defaultUrl)?.replace(/\/+$/, '');
    if (!apiBaseUrl) {
      throw notConfigured(`${name}: no API URL is known for ${remote.host}; set the project's gitProviderApiUrl, or gitHosts["${remote.host}"].apiUrl in the server's configuration.`);
    }
    const { token, tokenSource } = this.#token(entry, remote.host, setting, publicHost);
    if (token !== null) this.#requireTokenFits(name, entry, remote.host, setting, apiBaseUrl, [setting?.apiUrl, defaultUrl]);
    return { entry, remote, apiBaseUrl, token, tokenSource, gitUsername: entry.provider.auth.gitUsername ?? 'x-access-token' };
  }

  /** The installed providers and the configured hosts, with whether each has a token (never the token). */
  overview(): GitProvidersOverview {
    return {
      providers: this.registry.listGitProviders().map((entry) => ({
        id: entry.id,
        displayName: entry.displayName,
        description: entry.description,
        package: { name: entry.packageName, version: entry.packageVersion },
        capabilities: {
          ...entry.capabilities,
          findPullRequest: typeof entry.provider.findPullRequest === 'function',
          checks: typeof entry.provider.getChecks === 'function',
          listReviewComments: typeof entry.provider.listReviewComments === 'function',
        },
        tokenEnv: entry.provider.auth.env,
        tokenConfigured: Boolean(this.env[entry.provider.auth.env]),
      })),
      hosts: Object.entries(this.hosts).map(([host, setting]) => ({
        host,
        provider: setting.provider ?? null,
        apiUrl: setting.apiUrl ?? null,
        tokenSource: setting.token ? `gitHosts["${host}"].token` : (setting.tokenEnv ?? null),
        tokenConfigured: Boolean(setting.token ?? (setting.tokenEnv && this.env[setting.tokenEnv])),
        requestsPerHour: setting.requestsPerHour ?? null,
      })),
    };
  }

  /**
   * A token goes only where the operator sent it: to an API origin (scheme, host and port) that
   * is the one configured for the host or the provider's default for it, and only through the
   * provider the host is configured for. A project (which any API client, or an agent through
   * MCP, may create) can choose a path there, not another server, nor plain http for https.
   */
  #requireTokenFits(name: string, entry: GitProviderEntry, host: string, setting: GitHostSetting | undefined, apiBaseUrl: string, vouched: (string | undefined)[]): void {
    const origins = vouched.filter((url): url is string => Boolean(url)).map((url) => new URL(url).origin);
    const origin = new URL(apiBaseUrl).origin;
    const details = { provider: entry.id, host, apiUrl: apiBaseUrl };
    if (!origins.includes(origin)) {
      throw notConfigured(
        `${name}: the API URL ${apiBaseUrl} is not ${origins.length ? origins.join(' or ') : 'an origin configured for this host'}, where the host's token may go; a token is only sent where the server's configuration says. Use the configured API, or set gitHosts["${host}"].apiUrl in the server's configuration.`,
        details,
      );
    }
    if (setting?.provider && setting.provider !== entry.id) {
      throw notConfigured(`${name}: the server's configuration says ${host} is served by ${setting.provider}, so its token is not handed to ${entry.id}. Remove the project's gitProvider, or fix gitHosts["${host}"].provider.`, details);
    }
  }

  /**
   * What a push to the project's remote authenticates with, or null when Forge has no token for
   * it (git then pushes as the user set it up: ssh keys, their own helper). The remote must be on
   * the origin the token belongs to: `https://<host>`, or the host's configured `gitUrl` (a port,
   * plain http). A project's remote URL is anyone's to set, so another origin is refused.
   */
  pushCredentials(resolved: ResolvedProvider, remoteUrl: string): PushCredentials | null {
    if (resolved.token === null || !/^https?:\/\//i.test(remoteUrl)) return null;
    const { entry, remote, tokenSource } = resolved;
    const setting = this.hosts[remote.host];
    const origins = [`https://${remote.host}`, setting?.gitUrl && new URL(setting.gitUrl).origin].filter((origin): origin is string => Boolean(origin));
    const origin = new URL(remoteUrl).origin;
    if (!origins.includes(origin)) {
      throw notConfigured(
        `${entry.id} at ${remote.host}: the remote ${remoteUrl} is not on ${origins.join(' or ')}, where the host's token may go, so it is not sent there. Push over https to the host itself, or set gitHosts["${remote.host}"].gitUrl in the server's configuration.`,
        { provider: entry.id, host: remote.host },
      );
    }
    return {
      url: remoteUrl,
      username: resolved.gitUsername,
      token: resolved.token,
      describe: `${describeProvider(resolved)}, with the token from ${tokenSource},`,
    };
  }

  /** The environment variables tokens are read from: the server takes them out of its own environment once read. */
  tokenVariables(): string[] {
    const fromHosts = Object.values(this.hosts).flatMap((setting) => (setting.tokenEnv ? [setting.tokenEnv] : []));
    return [...new Set([...fromHosts, ...this.registry.listGitProviders().map((entry) => entry.provider.auth.env)])];
  }

  /** Every token the server may use, for masking wherever text could carry one. */
  allTokens(): string[] {
    const written = Object.values(this.hosts).map((setting) => setting.token);
    return [...written, ...this.tokenVariables().map((name) => this.env[name])].filter((token): token is string => typeof token === 'string' && token !== '');
  }

  #provider(project: Project, remoteUrl: string): { entry: GitProviderEntry; remote: RemoteRef; publicHost: boolean } {
    const chosen = project.gitProvider;
    if (chosen) return this.#named(chosen, remoteUrl, 'the project');
    for (const entry of this.registry.listGitProviders()) {
      const remote = safeMatch(entry, remoteUrl, false);
      if (remote) return { entry, remote, publicHost: true };
    }
    // The configured host the remote is on, whichever way its provider reads paths.
    const host = parseGitRemote(remoteUrl)?.host;
    const setting = host === undefined ? undefined : this.hosts[host];
    if (host !== undefined && setting?.provider) return this.#named(setting.provider, remoteUrl, `gitHosts["${host}"]`);
    const known = this.registry.listGitProviders().map((entry) => entry.id);
    throw notConfigured(
      `No git provider serves the remote ${remoteUrl} of project "${project.name}". For a self-hosted instance, set the project's gitProvider (one of: ${known.join(', ') || 'none installed'}), or gitHosts["<host>"].provider in the server's configuration.`,
    );
  }

  #named(id: string, remoteUrl: string, who: string): { entry: GitProviderEntry; remote: RemoteRef; publicHost: boolean } {
    const entry = this.registry.gitProvider(id);
    if (!entry) {
      const known = this.registry.listGitProviders().map((provider) => provider.id);
      throw notConfigured(`${who} names the git provider "${id}", which is not installed; installed: ${known.join(', ') || 'none'}.`);
    }
    const remote = safeMatch(entry, remoteUrl, true);
    if (!remote) throw notConfigured(`${entry.id} cannot read the remote URL ${remoteUrl}; check the project's remoteUrl.`);
    return { entry, remote, publicHost: safeMatch(entry, remoteUrl, false) !== null };
  }

  #token(entry: GitProviderEntry, host: string, setting: GitHostSetting | undefined, publicHost: boolean): { token: string | null; tokenSource: string } {
    if (setting?.token) return { token: setting.token, tokenSource: `gitHosts["${host}"].token` };
    if (setting?.tokenEnv) return { token: this.env[setting.tokenEnv] || null, tokenSource: setting.tokenEnv };
    const variable = entry.provider.auth.env;
    // A self-hosted host never gets the public host's token: it must be configured for it.
    if (!publicHost) return { token: null, tokenSource: `gitHosts["${host}"].token or .tokenEnv` };
    return { token: this.env[variable] || null, tokenSource: variable };
  }
}

/** How messages name a provider at a host: "GitHub (github) at github.com". */
export function describeProvider({ entry, remote }: Pick<ResolvedProvider, 'entry' | 'remote'>): string {
  return `${entry.displayName} (${entry.id}) at ${remote.host}`;
}

function safeMatch(entry: GitProviderEntry, url: string, anyHost: boolean): RemoteRef | null {
  try {
    return entry.provider.matchRemote(url, { anyHost });
  } catch {
    return null;
  }
}

function notConfigured(message: string, details?: Record<string, unknown>): ForgeError {
  return new ForgeError('FORGE_PROVIDER_NOT_CONFIGURED', message, details ?? {});
}
