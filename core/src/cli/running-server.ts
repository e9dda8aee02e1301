import type { ForgeConfig } from '../config/config.ts';
import type { PackList } from '../plugins/pending-changes.ts';

export interface ServerPacks {
  /** Where the configured server is reached from this machine. */
  url: string;
  /** Its GET /plugins, or null when nothing answered there as a Forge server. */
  list: PackList | null;
  /** Why an answer was not used (a wrong token, another program on the port); null when none came. */
  problem: string | null;
}

// Connecting to a port nobody listens on fails at once; this bounds a server too busy to answer.
const ANSWER_WITHIN_MS = 5_000;

/** The URL a client on this machine uses for the server this configuration describes. */
export function localServerUrl(config: Pick<ForgeConfig, 'host' | 'port'>): string {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/**
 * Asks the server of this configuration (host, port and token from the same FORGE_* variables
 * and config.json the server reads) what it loaded and what a restart would change: only the
 * running process knows what it loaded.
 */
export async function fetchServerPacks(config: ForgeConfig): Promise<ServerPacks> {
  const url = localServerUrl(config);
  if (config.port === 0) return { url, list: null, problem: null };
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/plugins`, {
      headers: config.apiToken ? { authorization: `Bearer ${config.apiToken}` } : {},
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
  } catch {
    return { url, list: null, problem: null };
  }
  const body = (await response.json().catch(() => null)) as (PackList & { error?: { code: string; message: string } }) | null;
  if (response.ok && Array.isArray(body?.items) && typeof body.restartRequired === 'boolean') return { url, list: body, problem: null };
  const why = body?.error ? `${body.error.code}: ${body.error.message}` : 'not a Forge Core answer';
  return { url, list: null, problem: `it answered ${response.status} (${why})` };
}
