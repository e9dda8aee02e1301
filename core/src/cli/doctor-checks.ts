import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:net';
import knexFactory from 'knex';
import type { ForgeConfig } from '../config/config.ts';
import { MIN_GIT_VERSION, installedGitVersion, isGitRecentEnough } from '../git/git-version.ts';
import { localServerUrl } from './running-server.ts';

/** ok: nothing to do; warn: works, but worth a look; fail: the server cannot start or run an attempt until it is fixed. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  /** What was found, and for anything but ok what to do about it. */
  detail: string;
}

const check = (name: string, status: CheckStatus, detail: string): DoctorCheck => ({ name, status, detail });

// Connecting to a port nobody listens on fails at once; this bounds a server too busy to answer.
const ANSWER_WITHIN_MS = 5_000;

/** git on the PATH, at least the version the squash merge needs. */
export async function checkGit(): Promise<DoctorCheck> {
  const version = await installedGitVersion();
  if (version === null) return check('git', 'fail', `git is not on the PATH (or does not answer git --version). Install git ${MIN_GIT_VERSION} or newer.`);
  if (!isGitRecentEnough(version)) return check('git', 'fail', `git ${version} is older than ${MIN_GIT_VERSION}, which Forge needs for its merges. Upgrade git.`);
  return check('git', 'ok', `git ${version} (${MIN_GIT_VERSION} or newer needed)`);
}

/** FORGE_HOME: a folder this user can write, which other users cannot read (the key of the secrets at rest lives there). */
export function checkHome(config: ForgeConfig): DoctorCheck {
  const name = 'FORGE_HOME';
  const { home } = config;
  if (!existsSync(home)) {
    const blocker = whyNotCreatable(home);
    return blocker === null ? check(name, 'ok', `${home} does not exist yet; the server creates it at start.`) : check(name, 'fail', `${home} cannot be created: ${blocker}. Set FORGE_HOME to a folder you can write.`);
  }
  const stats = statSync(home);
  if (!stats.isDirectory()) return check(name, 'fail', `${home} is not a folder. Remove it or set FORGE_HOME to a folder.`);
  try {
    accessSync(home, constants.W_OK);
  } catch {
    return check(name, 'fail', `${home} is not writable by this user. Fix its owner or permissions, or set FORGE_HOME to a folder you own.`);
  }
  const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
  if ((stats.mode & 0o044) !== 0) {
    return check(name, 'warn', `${home} has mode ${mode}: other users can read it, and secret.key lives there. Run chmod 700 ${home}.`);
  }
  return check(name, 'ok', `${home} (mode ${mode})`);
}

/** The SQLite file opens: read-only, so the check changes nothing, whether a server runs or not. */
export async function checkDatabase(config: ForgeConfig): Promise<DoctorCheck> {
  const name = 'database';
  const file = config.databaseUrl;
  if (file === ':memory:') return check(name, 'ok', 'in memory: nothing is kept across restarts.');
  if (!existsSync(file)) return check(name, 'ok', `${file} does not exist yet; the server creates it at start.`);
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename: file, options: { readonly: true } }, useNullAsDefault: true });
  try {
    // Opening alone reads nothing: the first query is what finds a file that is no database.
    await db.raw('SELECT count(*) FROM sqlite_master');
    return check(name, 'ok', `${file} opens`);
  } catch (error) {
    return check(name, 'fail', `${file} does not open: ${(error as Error).message}. Move it aside to start with an empty database, or restore a backup.`);
  } finally {
    await db.destroy();
  }
}

/**
 * Whether the server could listen on the configured port: a bind on 127.0.0.1, closed at once.
 * A port in use by this configuration's own Forge server is fine.
 */
export async function checkPort(config: ForgeConfig): Promise<DoctorCheck> {
  const name = 'port';
  if (config.port === 0) return check(name, 'ok', 'port 0: the server picks a free port at each start.');
  const problem = await bindProblem(config.port);
  if (problem === null) return check(name, 'ok', `${config.port} is free`);
  if (problem !== 'EADDRINUSE') return check(name, 'fail', `${config.port} cannot be bound (${problem}). Set FORGE_PORT to another port.`);
  const server = await probeServer(localServerUrl(config));
  // A Forge server answers there; whether it is this FORGE_HOME's cannot be told from outside.
  if (server.forge) return check(name, 'warn', `${config.port} is in use by a Forge server at ${localServerUrl(config)}: fine if it is this configuration's, else \`serve\` cannot start; set FORGE_PORT to another port then.`);
  const answer = server.status === null ? '' : `: it answered ${server.status} (not a Forge Core answer)`;
  return check(name, 'fail', `${config.port} is in use by another program${answer}. Stop it or set FORGE_PORT to another port.`);
}

/**
 * Whether the client commands (project, task, attempt, …) can work here: a Forge server answers
 * at the address this configuration gives, and takes its API token. None running is no fault.
 */
export async function checkServer(config: ForgeConfig): Promise<DoctorCheck> {
  const name = 'server';
  if (config.port === 0) return check(name, 'ok', 'port 0: the server has no fixed address, so the client commands need --server <url> (or FORGE_URL).');
  const url = localServerUrl(config);
  const server = await probeServer(url);
  if (!server.forge) return check(name, 'ok', `no Forge Core server answers at ${url}; \`forgecore serve\` starts one, which the client commands (project, task, attempt, …) need.`);
  const answer = await fetch(`${url}/api/v1/projects?limit=1`, {
    headers: config.apiToken ? { authorization: `Bearer ${config.apiToken}` } : {},
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  }).catch(() => null);
  if (answer?.status === 401) {
    return check(name, 'warn', `the Forge Core server at ${url} refuses ${config.apiToken ? "this configuration's API token" : 'requests without its API token'}: set FORGE_API_TOKEN (or config.json's apiToken) to the token it was started with.`);
  }
  return check(name, 'ok', `Forge Core (contract ${server.contractVersion}) answers at ${url} and takes this configuration's token: the client commands can use it.`);
}

type ServerProbe = { forge: true; contractVersion: string } | { forge: false; status: number | null };

/** What answers the health check at `url`: a Forge server, another program (its status), or nothing (status null). */
async function probeServer(url: string): Promise<ServerProbe> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  } catch {
    return { forge: false, status: null };
  }
  const body = (await response.json().catch(() => null)) as { status?: unknown; contractVersion?: unknown } | null;
  return response.ok && body?.status === 'ok' && typeof body.contractVersion === 'string' ? { forge: true, contractVersion: body.contractVersion } : { forge: false, status: response.status };
}

/** Why a folder that does not exist could not be made: its nearest existing ancestor is no folder, or not writable; null when it could. */
function whyNotCreatable(folder: string): string | null {
  let ancestor = path.dirname(folder);
  while (!existsSync(ancestor) && path.dirname(ancestor) !== ancestor) ancestor = path.dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) return `${ancestor} is not a folder`;
  try {
    accessSync(ancestor, constants.W_OK);
    return null;
  } catch {
    return `${ancestor} is not writable by this user`;
  }
}

/** The error code binding the port on 127.0.0.1 gives, or null when it binds. */
function bindProblem(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
