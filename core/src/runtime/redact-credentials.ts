/** What a secret or credential is replaced with wherever it would otherwise be shown or stored. */
export const REDACTED = '[redacted]';

/**
 * Credentials a child process may echo in its output (git with a remote URL, npm with a registry
 * token) taken out before the text reaches a log or a response: user:password in URLs, tokens in
 * their query strings, npm's `_authToken=` style settings, and HTTP authorization values.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/(_authToken|_auth|_password)=\S+/gi, `$1=${REDACTED}`)
    .replace(/([?&][\w.-]*(?:token|password|secret|key|auth)[\w.-]*=)[^&\s#]+/gi, `$1${REDACTED}`)
    .replace(/(Bearer|Basic) [A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
}

/**
 * A remote URL as Forge may keep and show it. Over http(s) the whole userinfo goes: a lone user
 * there is usually a token (`https://ghp_…@github.com/…`). Other schemes keep the user name,
 * which says how to log in (`ssh://git@host/…`, scp-like `git@host:repo`), but never a password.
 * Git itself still reads the full URL from the repository's own config.
 */
export function withoutUrlCredentials(url: string): string {
  // A query string or fragment carries no part of a repository's address, but a token often
  // (`?access_token=…`, `?private_token=…`): it goes whole.
  const schemeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  const address = schemeUrl ? url.replace(/[?#].*$/s, '') : url;
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)@/i.exec(address);
  if (withScheme) {
    const [userinfoAndAt, scheme = '', userinfo = ''] = withScheme;
    const user = userinfo.split(':')[0];
    const kept = /https?/i.test(scheme) || !user ? '' : `${user}@`;
    return `${scheme}://${kept}${address.slice(userinfoAndAt.length)}`;
  }
  // scp-like `user:password@host:path`: no scheme, a colon after the host.
  return address.replace(/^([^/:@]+):[^/@]*@(?=[^/:@]+:)/, '$1@');
}

// A lone user name in an http(s) URL this long is taken for a token (`https://ghp_…@github.com`);
// a short one (`git`, `deploy`) would mask ordinary words all over a log.
const TOKEN_USER_MIN_LENGTH = 20;

/**
 * The credential strings a remote URL carries, to mask in what an agent prints (it may run `git
 * remote -v` or read `.git/config`): a password, a query value, and a lone http(s) user that is
 * long enough to be a token.
 */
export function credentialsInUrl(url: string): string[] {
  const found: string[] = [];
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const userinfo = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)@/i.exec(url) ?? /^()([^/:@]+:[^/@]*)@(?=[^/:@]+:)/.exec(url);
  if (userinfo) {
    const [, scheme = '', info = ''] = userinfo;
    const colon = info.indexOf(':');
    if (colon >= 0) found.push(info.slice(colon + 1));
    else if (/^https?$/i.test(scheme.replace(/^git\+/i, '')) && info.length >= TOKEN_USER_MIN_LENGTH) found.push(info);
  }
  const query = /\?([^#]*)/.exec(url)?.[1];
  if (query) for (const pair of query.split('&')) found.push(pair.slice(pair.indexOf('=') + 1));
  return [...new Set(found.flatMap((value) => [value, decode(value)]))].filter((value) => value.length >= 4);
}

/** The shortest value masked in what an agent prints. */
const MIN_MASKED_LENGTH = 6;

/**
 * A copy of `value` (a log payload) with every occurrence of each of `secrets` in its strings
 * replaced, for text an agent prints after it was handed those secrets.
 */
export function redactValues<T>(value: T, secrets: readonly string[]): T {
  // Longest first, so a secret that contains another is replaced whole. A value too short to be a
  // secret (an MCP server's `DEBUG=1`) is left alone: masking it would garble the whole log.
  // Also as JSON writes it: an agent that prints its configuration escapes a `"` or `\` in it.
  const forms = secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);
  const ordered = [...new Set(forms)].filter((secret) => secret.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return value;
  const redact = (item: unknown): unknown => {
    if (typeof item === 'string') return ordered.reduce((text, secret) => text.replaceAll(secret, REDACTED), item);
    if (Array.isArray(item)) return item.map(redact);
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [redact(key), redact(inner)]));
    }
    return item;
  };
  return redact(value) as T;
}
