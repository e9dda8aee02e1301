/**
 * A git remote URL taken apart, before any provider reads it. Git writes the same remote in a few
 * forms (`https://host/a/b.git`, `ssh://git@host:2222/a/b`, `git@host:a/b`); this is the one
 * grammar of those forms, so that each provider only applies its own rules to the parts: which
 * hosts it claims (its public hosts, or any with `anyHost`) and which segments name a repository
 * (exactly owner/repo, or nested groups).
 */
export interface GitRemote {
  /** How git reaches the host; the scp-like form `git@host:a/b` is ssh. */
  scheme: 'https' | 'http' | 'ssh';
  /** Lowercase, without the port; an IPv6 address in brackets, as `URL` writes it (`[::1]`). */
  host: string;
  /** The port written in the URL (a default one too: `:443` is 443), or null when none is (`host:/` too, as RFC 3986 allows). */
  port: number | null;
  /**
   * The path's segments as written (not percent-decoded), without the leading and trailing "/"
   * and without a trailing ".git" on the last: `["acme", "widgets"]`. Never empty, and no segment
   * is empty.
   */
  segments: string[];
}

/** `scheme://`: once a remote has one, it is a URL and never the scp-like form. */
const SCHEME = /^[a-z][a-z\d+.-]*:\/\//i;
// scheme://[user[:password]@]host[:port]/path. The user part runs to the last "@" before the path,
// so a password holding "@" or ":" does not end it early. A query or fragment makes it a web
// page's address, not a repository's.
const URL_FORM = /^(https?|ssh):\/\/(?:[^/?#]*@)?(\[[^\]]*\]|[^/?#@:[\]]*)(?::(\d{0,5}))?(\/[^?#]*)$/i;
// git's scp-like form, [user@]host:path, which git reads as ssh. A path starting with "/" is
// absolute on that host, a different repository from the one relative to the user's home that
// the same segments would name, so it is not read.
const SCP_FORM = /^(?:([^@/:]+)@)?(\[[^\]]*\]|[^@/:[\]]+):(?!\/)([^?#]*)$/;
/** One DNS label, or a name like a Docker service's (`gitlab_web`): letters, digits, "_", "-" inside. */
const HOST_LABEL = /^[a-z\d_](?:[a-z\d_-]*[a-z\d_])?$/;
const IPV6 = /^\[[\da-f:.]+\]$/;
/**
 * Before the colon of a remote without a user, a single letter is a Windows drive (`C:repo`) and
 * a scheme's name is a URL typed without its slashes (`file:repo`, `https:host/a/b`), not a host.
 */
const NOT_A_HOST = /^(?:[a-z]|https?|ssh|git|file)$/i;
const HIGHEST_PORT = 65_535;

/**
 * The host lowercase. An IPv6 address as URL writes it (`[0:0::1]` is `[::1]`), and an
 * internationalized name as URL does, in punycode (`bücher.example` is `xn--bcher-kva.example`),
 * so one host has one spelling. Null when it is no host name.
 */
function hostName(written: string): string | null {
  let host = written.toLowerCase();
  if (IPV6.test(host) || /[^\p{ASCII}]/u.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return null;
    }
    if (host.startsWith('[')) return host;
  }
  return host.split('.').every((label) => HOST_LABEL.test(label)) ? host : null;
}

/** "a/b", "a/b.git", "a/b/": the segments, or null when there are none or one is empty ("a//b"). */
function segmentsOf(path: string): string[] | null {
  const segments = path.replace(/\/$/, '').replace(/\.git$/, '').split('/');
  return segments.every((segment) => segment !== '') ? segments : null;
}

function urlForm(remote: string): GitRemote | null {
  const match = URL_FORM.exec(remote);
  if (match === null) return null;
  const [, scheme, writtenHost, writtenPort, path] = match as unknown as [string, string, string, string | undefined, string];
  const host = hostName(writtenHost);
  const port = writtenPort === undefined || writtenPort === '' ? null : Number(writtenPort);
  const segments = segmentsOf(path.slice(1));
  if (host === null || segments === null || (port !== null && port > HIGHEST_PORT)) return null;
  return { scheme: scheme.toLowerCase() as GitRemote['scheme'], host, port, segments };
}

function scpForm(remote: string): GitRemote | null {
  const match = SCP_FORM.exec(remote);
  if (match === null) return null;
  const [, user, writtenHost, path] = match as unknown as [string, string | undefined, string, string];
  if (user === undefined && NOT_A_HOST.test(writtenHost)) return null;
  const host = hostName(writtenHost);
  const segments = segmentsOf(path);
  return host === null || segments === null ? null : { scheme: 'ssh', host, port: null, segments };
}

/**
 * Reads a git remote URL: `https://[user[:password]@]host[:port]/a/b.git`, the same over http,
 * `ssh://[user@]host[:port]/a/b.git`, or git's scp-like `[user@]host:a/b.git`; surrounding
 * whitespace is ignored. Null for anything else — another scheme (`file:`, `git:`), a local or
 * Windows path, a query or fragment, an empty segment, whitespace or a backslash inside, a value
 * that is not a string. Never throws: a provider's `matchRemote` runs it on every remote of
 * every project.
 */
export function parseGitRemote(url: string): GitRemote | null {
  if (typeof url !== 'string') return null;
  const remote = url.trim();
  if (/[\s\\]/.test(remote)) return null;
  return SCHEME.test(remote) ? urlForm(remote) : scpForm(remote);
}
