import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ForgeError } from '@forge-core/sdk';

/** Which targets the configuration lets webhooks reach beside public addresses. */
export interface TargetPolicy {
  /** Every address: a test, or a server that only ever talks to its own network. */
  allowPrivateTargets: boolean;
  /** Host names (as written in the URL), addresses and CIDR ranges allowed although private. */
  allowedTargets: readonly string[];
}

/** An address a delivery connects to, checked: the connection goes to it, not to a second lookup. */
export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

type Family = 'ipv4' | 'ipv6';

/**
 * The ranges a webhook never reaches unless allowed: what is not the public internet. An IPv4
 * rule also covers the same address written IPv4-mapped (::ffff:10.0.0.1), as BlockList does.
 */
const REFUSED_RANGES: readonly (readonly [network: string, prefix: number, family: Family, kind: string])[] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier-grade NAT, RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (where cloud metadata services answer)'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments (RFC 6890)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking (RFC 2544)'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved or broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique local (private)'],
  ['fec0::', 10, 'ipv6', 'site-local (deprecated, private)'],
  ['2001::', 32, 'ipv6', 'Teredo tunnel'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const RANGES = REFUSED_RANGES.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, kind };
});
/** All of them in one list: the one check a public address (nearly every delivery) costs. */
const ANY_RANGE = new BlockList();
for (const [network, prefix, family] of REFUSED_RANGES) ANY_RANGE.addSubnet(network, prefix, family);

const LOOKUP_TIMEOUT_MS = 5_000;

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** What kind of refused address this is, or null for a public one. */
export function refusedKind(address: string): string | null {
  const family = familyOf(address);
  if (ANY_RANGE.check(address, family)) return RANGES.find((range) => range.list.check(address, family))?.kind ?? null;
  const embedded = family === 'ipv6' ? embeddedIpv4(address) : null;
  const inner = embedded && refusedKind(embedded.address);
  return inner ? `${inner} (in ${embedded.how} form)` : null;
}

/**
 * The IPv4 address an IPv6 one carries where a translator or relay would deliver to it: the
 * deprecated IPv4-compatible form (::a.b.c.d), the IPv4-translated one (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4
 * (2002::/16). BlockList only sees through the IPv4-mapped form (::ffff:a.b.c.d).
 */
function embeddedIpv4(address: string): { address: string; how: string } | null {
  const words = ipv6Words(address);
  if (!words) return null;
  const quad = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (words.slice(0, 6).every((word) => word === 0)) return { address: quad(words[6]!, words[7]!), how: 'IPv4-compatible IPv6' };
  if (words.slice(0, 4).every((word) => word === 0) && words[4] === 0xffff && words[5] === 0) return { address: quad(words[6]!, words[7]!), how: 'IPv4-translated IPv6' };
  if (words[0] === 0x64 && words[1] === 0xff9b && (words[2] === 0 || words[2] === 1)) return { address: quad(words[6]!, words[7]!), how: 'NAT64' };
  if (words[0] === 0x2002) return { address: quad(words[1]!, words[2]!), how: '6to4' };
  return null;
}

/** The eight 16-bit words of an IPv6 address ("::" expanded, a trailing dotted quad read). */
function ipv6Words(address: string): number[] | null {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const wordsOf = (group: string): number[] => {
    if (!group.includes('.')) return [parseInt(group, 16)];
    const [a = -1, b = -1, c = -1, d = -1] = group.split('.').map(Number);
    return [a * 256 + b, c * 256 + d];
  };
  const parse = (part: string) => (part === '' ? [] : part.split(':').flatMap(wordsOf));
  const first = parse(head);
  const last = parse(tail);
  const words = address.includes('::') ? [...first, ...Array(8 - first.length - last.length).fill(0), ...last] : first;
  return words.length === 8 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff) ? words : null;
}

/** Whether an entry of `webhookAllowedTargets` is well formed: a host name, an address or a CIDR range. */
export function isAllowedTargetEntry(entry: string): boolean {
  const [network, prefix, ...rest] = stripBrackets(entry).split('/');
  if (rest.length > 0 || network === undefined) return false;
  if (prefix !== undefined) {
    const family = isIP(network);
    return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  }
  return isIP(network) !== 0 || /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i.test(network);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const normalHost = (host: string) => stripBrackets(host).toLowerCase().replace(/\.$/, '');

/**
 * Keeps webhooks off the server's own network (SSRF): a URL's host is checked when a subscription
 * is made and again before each delivery, after DNS, on every address the name resolves to; the
 * delivery then connects to the address that was checked, so a name that resolves differently the
 * second time (DNS rebinding) cannot send it elsewhere. Redirects are never followed (sender.ts).
 */
export class TargetGuard {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedAddresses = new BlockList();

  constructor(private readonly policy: TargetPolicy) {
    for (const entry of policy.allowedTargets) {
      const [network, prefix] = stripBrackets(entry).split('/');
      if (isIP(network!) === 0) this.allowedHosts.add(normalHost(entry));
      else if (prefix === undefined) this.allowedAddresses.addAddress(network!, familyOf(network!));
      else this.allowedAddresses.addSubnet(network!, Number(prefix), familyOf(network!));
    }
  }

  /**
   * For a subscription being made or changed: a URL webhooks may be sent to. 400 for what is not
   * an http(s) URL without credentials, 422 FORGE_WEBHOOK_TARGET_REFUSED for a host that is or
   * resolves to a refused address, 422 FORGE_UNPROCESSABLE for a name that does not resolve.
   */
  async checkUrl(text: string): Promise<void> {
    const url = parseTargetUrl(text);
    await this.resolve(url);
  }

  /** For a delivery: the address to connect to, every address of the host checked. */
  async addressFor(text: string): Promise<PinnedAddress> {
    return this.resolve(parseTargetUrl(text));
  }

  private async resolve(url: URL): Promise<PinnedAddress> {
    const host = normalHost(url.hostname);
    const literal = isIP(host);
    const addresses: PinnedAddress[] = literal ? [{ address: host, family: literal as 4 | 6 }] : await resolveName(host);
    if (!this.policy.allowPrivateTargets && !this.allowedHosts.has(host)) {
      for (const { address } of addresses) {
        const kind = refusedKind(address);
        if (kind !== null && !this.allowedAddresses.check(address, familyOf(address))) throw refused(host, address, kind);
      }
    }
    return addresses[0]!;
  }
}

/** The URL, if it is one webhooks can be sent to at all. */
export function parseTargetUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl('it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidUrl(`its scheme is ${url.protocol.slice(0, -1)}; use http or https`);
  // Credentials in the URL would be shown wherever the subscription is, and sent as Basic auth.
  if (url.username || url.password) throw invalidUrl('it carries a user name or password; authenticate deliveries by their signature');
  return url;
}

async function resolveName(host: string): Promise<PinnedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS / 1000} s`)), LOOKUP_TIMEOUT_MS);
      }),
    ]);
    if (found.length === 0) throw new Error('no address');
    return found.map(({ address, family }) => ({ address, family: family as 4 | 6 }));
  } catch (error) {
    throw new ForgeError('FORGE_UNPROCESSABLE', `The webhook URL's host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the name.`, {
      field: 'url',
      host,
    });
  } finally {
    clearTimeout(timer);
  }
}

function refused(host: string, address: string, kind: string): ForgeError {
  const where = host === address ? `The webhook URL's host ${host} is` : `The webhook URL's host ${host} resolves to ${address},`;
  return new ForgeError(
    'FORGE_WEBHOOK_TARGET_REFUSED',
    `${where} a ${kind} address. Webhooks are not sent to private, loopback, link-local or multicast addresses unless the configuration allows it: add the host or its range to webhookAllowedTargets, or set webhookAllowPrivateTargets (FORGE_WEBHOOK_ALLOW_PRIVATE_TARGETS=1).`,
    { field: 'url', host, address, kind },
  );
}

function invalidUrl(why: string): ForgeError {
  const message = `"url" cannot be a webhook target: ${why}`;
  return new ForgeError('FORGE_VALIDATION_FAILED', `Invalid request payload: ${message}`, { source: 'payload', problems: [{ path: 'url', message }] });
}
