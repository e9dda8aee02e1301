import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { git, gitOutput } from '../../src/git/git.ts';

/** One request as the server saw it; the Authorization header itself is not kept here. */
export interface GitHttpRequest {
  method: string;
  path: string;
  /** The user name of a Basic header; null without one, or for a Bearer token. */
  user: string | null;
  authorized: boolean;
  /** `git-upload-pack` or `git-receive-pack`, from `?service=` or the POST path. */
  service: string | null;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `${url}/${name}.git` */
  repoUrl(name: string): string;
  /**
   * Creates `${root}/${name}.git` and returns its path. `from` is a local repository whose
   * branches are pushed into it (its checked-out branch becomes HEAD); `denyNonFastForwards`
   * refuses any push that rewrites history, forced or not, as a protected branch does.
   */
  createBareRepo(name: string, options?: { from?: string; denyNonFastForwards?: boolean }): Promise<string>;
  requests: GitHttpRequest[];
  /** The raw Authorization header values received, in order: what the client sent. */
  authorizationHeadersSeen(): string[];
  /** Replaces the accepted credentials; username null accepts any user name with this token. */
  setCredentials(username: string | null, token: string): void;
  close(): Promise<void>;
}

interface Credentials {
  username: string | null;
  token: string;
}

const CHALLENGE = 'Basic realm="forge-test"';

// receive-pack serves only a request with a REMOTE_USER, and a Bearer token names nobody.
const BEARER_REMOTE_USER = 'bearer';

/** Who the Authorization header speaks for, and whether it carries the accepted credentials. */
function authenticate(header: string | undefined, accepted: Credentials): { user: string | null; authorized: boolean } {
  const match = /^(\S+)\s+(\S+)$/.exec(header?.trim() ?? '');
  if (!match) return { user: null, authorized: false };
  const [, scheme = '', value = ''] = match;
  if (scheme.toLowerCase() === 'bearer') return { user: null, authorized: value === accepted.token };
  if (scheme.toLowerCase() !== 'basic') return { user: null, authorized: false };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { user: null, authorized: false };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return { user, authorized: password === accepted.token && (accepted.username === null || user === accepted.username) };
}

function serviceOf(url: URL): string | null {
  const asked = url.searchParams.get('service');
  if (asked !== null) return asked;
  const last = url.pathname.split('/').pop();
  return last === 'git-upload-pack' || last === 'git-receive-pack' ? last : null;
}

/** The CGI answer's header block, up to the first blank line, and where its body starts. */
function splitCgiAnswer(answer: Buffer): { head: string; bodyStart: number } | null {
  const ends = [
    { at: answer.indexOf('\r\n\r\n'), length: 4 },
    { at: answer.indexOf('\n\n'), length: 2 },
  ].filter((end) => end.at >= 0);
  if (ends.length === 0) return null;
  const first = ends.reduce((a, b) => (b.at < a.at ? b : a));
  return { head: answer.subarray(0, first.at).toString('latin1'), bodyStart: first.at + first.length };
}

function parseCgiHead(head: string): { status: number; headers: OutgoingHttpHeaders } {
  let status = 200;
  const headers: Record<string, string[]> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else (headers[name] ??= []).push(value);
  }
  return { status, headers };
}

/** Runs git-http-backend as a CGI program for one authorized request and streams its answer back. */
function serveThroughBackend(backendPath: string, root: string, remoteUser: string, url: URL, req: IncomingMessage, res: ServerResponse): void {
  const backend = spawn(backendPath, [], {
    // The backend sees the bare repository's own config and none of the machine's or the user's,
    // so what a test sets in the repository is all that decides.
    env: {
      PATH: process.env['PATH'],
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress,
      REQUEST_METHOD: req.method,
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      // Absent for a chunked body: the backend then reads its stdin to the end.
      CONTENT_LENGTH: req.headers['content-length'],
      // git gzips large request bodies; the backend inflates them when told.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'],
      GIT_PROTOCOL: req.headers['git-protocol'] as string | undefined,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  backend.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // The backend may answer (a refusal, say) before reading the whole body; writing the rest then
  // fails with EPIPE, and the answer it already gave is the one that counts.
  backend.stdin.on('error', () => undefined);
  req.pipe(backend.stdin);

  let head = Buffer.alloc(0);
  const readHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const split = splitCgiAnswer(head);
    if (!split) return;
    backend.stdout.off('data', readHead);
    const { status, headers } = parseCgiHead(split.head);
    res.writeHead(status, headers);
    res.write(head.subarray(split.bodyStart));
    backend.stdout.pipe(res);
  };
  backend.stdout.on('data', readHead);

  const failBeforeAnswer = (why: string) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`git http-backend ${why}: ${stderr}`);
  };
  backend.on('error', (error) => failBeforeAnswer(`could not start (${error.message})`));
  backend.on('close', (code, signal) => failBeforeAnswer(`ended (${signal ?? `exit ${code}`}) before answering`));
  // A client that goes away mid-answer must not leave a backend behind.
  res.on('close', () => {
    if (backend.exitCode === null && backend.signalCode === null) backend.kill();
  });
}

/**
 * A real smart-HTTP git server on 127.0.0.1: node:http in front of git's own git-http-backend,
 * serving the bare repositories under `root`. Every request needs the token, as the password of
 * HTTP Basic (with `username` when one is set) or as a Bearer header; anything else gets a 401
 * challenge, so git turns to its credential helper.
 */
export async function startGitHttpServer(options: { root: string; username?: string | null; token: string }): Promise<GitHttpServer> {
  await mkdir(options.root, { recursive: true });
  const backendPath = join(await gitOutput(['--exec-path'], { cwd: options.root }), 'git-http-backend');
  let credentials: Credentials = { username: options.username ?? null, token: options.token };
  const requests: GitHttpRequest[] = [];
  const authorizationHeaders: string[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers.authorization;
    if (header !== undefined) authorizationHeaders.push(header);
    const { user, authorized } = authenticate(header, credentials);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, user, authorized, service: serviceOf(url) });
    if (!authorized) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': CHALLENGE, 'Content-Type': 'text/plain' }).end('authentication required\n');
      return;
    }
    serveThroughBackend(backendPath, options.root, user ?? BEARER_REMOTE_USER, url, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    repoUrl: (name) => `${url}/${name}.git`,
    async createBareRepo(name, repoOptions = {}) {
      const path = join(options.root, `${name}.git`);
      const from = repoOptions.from;
      const head = from === undefined ? 'main' : await gitOutput(['symbolic-ref', '--short', 'HEAD'], { cwd: from });
      await git(['init', '-q', '--bare', '-b', head, path], { cwd: options.root });
      if (repoOptions.denyNonFastForwards) await git(['config', 'receive.denyNonFastForwards', 'true'], { cwd: path });
      if (from !== undefined) await git(['push', '-q', '--all', path], { cwd: from });
      return path;
    },
    requests,
    authorizationHeadersSeen: () => [...authorizationHeaders],
    setCredentials(username, token) {
      credentials = { username, token };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // git keeps its connections alive; closing them ends any backend still answering.
        server.closeAllConnections();
      }),
  };
}
