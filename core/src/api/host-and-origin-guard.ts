import type Hapi from '@hapi/hapi';
import { ForgeError } from '@forge-core/sdk';
import { isLoopback, type ForgeConfig } from '../config/config.ts';
import { toBoom } from './error-response.ts';

export type HostPolicy = Pick<ForgeConfig, 'host' | 'allowedHosts'>;

/**
 * Refuses requests addressed to a name this server does not answer to, and requests a browser
 * sends from a page that is not allowed (spec/decisions/0014). Runs first, on every route
 * including /health, before the token check: a DNS-rebinding page reaches a loopback server under
 * its own host name, and whatever it can read there it can exfiltrate.
 */
export function guardHostAndOrigin(server: Hapi.Server, config: HostPolicy & Pick<ForgeConfig, 'allowedOrigins'>): void {
  server.ext('onRequest', (request, h) => {
    const { host, origin } = request.raw.req.headers;
    if (!hostAllowed(host, config)) {
      const names = config.allowedHosts.length > 0 ? `loopback names and ${config.allowedHosts.join(', ')}` : 'loopback names (localhost, 127.0.0.1, [::1])';
      throw toBoom(
        new ForgeError(
          'FORGE_HOST_NOT_ALLOWED',
          host
            ? `This server answers only to ${names}, and the request was addressed to "${clip(host)}". If you reach it by that name on purpose, add the name to FORGE_ALLOWED_HOSTS (comma-separated).`
            : `The request has no Host header; this server answers only to ${names}.`,
          { host: host === undefined ? null : clip(host) },
        ),
      );
    }
    if (!originAllowed(origin, Number(request.server.info.port), config.allowedOrigins)) {
      throw toBoom(
        new ForgeError(
          'FORGE_ORIGIN_NOT_ALLOWED',
          `Requests from web pages at "${clip(origin!)}" are not allowed. To let that page use this server, add its origin to FORGE_ALLOWED_ORIGINS (comma-separated, as scheme://host:port).`,
          { origin: clip(origin!) },
        ),
      );
    }
    return h.continue;
  });
}

/**
 * On a loopback bind only loopback names and the allow-list pass. On any other bind the API
 * token is what keeps other pages out (a browser never attaches a bearer token by itself), and the
 * names the server is reached by (addresses, DNS names, proxies) are not knowable here, so the
 * Host is checked only when an allow-list is configured.
 */
export function hostAllowed(host: string | undefined, policy: HostPolicy): boolean {
  if (!isLoopback(policy.host) && policy.allowedHosts.length === 0) return true;
  const parsed = host === undefined ? null : parseHost(host);
  if (!parsed) return false;
  // The address the server is bound to is its own name: only a page served from it uses it.
  if (isLoopbackName(parsed.name) || parsed.name === asHostName(policy.host)) return true;
  return policy.allowedHosts.some((allowed) => allowed === parsed.name || allowed === `${parsed.name}:${parsed.port}`);
}

/**
 * No Origin (curl, SDKs, the CLI, same-origin GETs) always passes: the header is what browsers
 * add, and a page cannot remove it. Besides the allow-list, this server's own loopback origins
 * pass, so a page it serves itself could use it.
 */
export function originAllowed(origin: string | undefined, ownPort: number, allowedOrigins: string[]): boolean {
  if (origin === undefined) return true;
  const normalized = origin.trim().toLowerCase();
  if (allowedOrigins.includes(normalized)) return true;
  let url: URL;
  try {
    url = new URL(normalized);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and anything malformed
  }
  return url.origin === normalized && url.protocol === 'http:' && isLoopbackName(url.hostname) && Number(url.port || 80) === ownPort;
}

/** localhost, 127.0.0.0/8 and [::1], as they appear in a Host header or URL. */
function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}

function parseHost(host: string): { name: string; port: string } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d*))?$/.exec(host.trim().toLowerCase());
  return match ? { name: match[1]!, port: match[2] ?? '' } : null;
}

/** A bind address as it appears in a Host header: IPv6 in brackets. */
function asHostName(address: string): string {
  const name = address.toLowerCase();
  return name.includes(':') ? `[${name}]` : name;
}

function clip(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}
