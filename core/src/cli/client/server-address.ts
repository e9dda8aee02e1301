import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { localServerUrl } from '../running-server.ts';
import { CommandFailure, EXIT } from './exit-codes.ts';

/** Where the client sends its requests, and with which token. */
export interface ServerAddress {
  /** The server's root, without a trailing slash ("http://127.0.0.1:8887"). */
  url: string;
  token: string | undefined;
  /** Where the URL came from, for the messages that tell how to change it. */
  source: string;
}

export interface AddressFlags {
  server?: string | undefined;
  token?: string | undefined;
}

// What a token is made of: printable ASCII. A line break or a character fetch refuses in a
// header would be quoted in fetch's error message, and the token with it.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * The server: --server, else FORGE_URL, else the one this machine's configuration describes
 * (FORGE_HOST and FORGE_PORT over $FORGE_HOME/config.json, as the server reads them). The token:
 * --token, else FORGE_API_TOKEN, else config.json's apiToken — that one only for the server of
 * the configuration, so a local token is never sent to a URL given on the command line.
 * FORGE_API_TOKEN goes to whichever server is named: setting it is the user's choice of server.
 *
 * config.json is read here for three fields rather than through loadConfig, which validates the
 * whole file with joi: that alone costs a client command more than its request.
 */
export function serverAddress(flags: AddressFlags, env: NodeJS.ProcessEnv = process.env): ServerAddress {
  const token = nonEmpty(flags.token) ?? nonEmpty(env.FORGE_API_TOKEN);
  const given = token === undefined ? undefined : checkedToken(token, nonEmpty(flags.token) ? '--token' : 'FORGE_API_TOKEN');
  if (nonEmpty(flags.server)) return { url: serverUrl(flags.server!, '--server'), token: given, source: '--server' };
  if (env.FORGE_URL !== undefined && env.FORGE_URL.trim() === '') {
    throw new CommandFailure(`FORGE_URL is set but empty: set it to the server's URL (like http://127.0.0.1:8887), or unset it for the configured server.`, EXIT.usage);
  }
  if (nonEmpty(env.FORGE_URL)) return { url: serverUrl(env.FORGE_URL!, 'FORGE_URL'), token: given, source: 'FORGE_URL' };
  const home = resolve(env.FORGE_HOME ?? join(homedir(), '.forge'));
  const configFile = join(home, 'config.json');
  const file = readConfigFile(configFile);
  const source = `the configuration (FORGE_HOST, FORGE_PORT, ${configFile})`;
  const host = nonEmpty(env.FORGE_HOST) ?? (typeof file.host === 'string' ? file.host : '127.0.0.1');
  const port = portOf(env.FORGE_PORT, file.port);
  if (port === 0) {
    throw new CommandFailure(`The configured port is 0 (a free one at each start), so the server's address is not known here: pass --server <url> or set FORGE_URL.`, EXIT.usage);
  }
  const configured = given === undefined && typeof file.apiToken === 'string' ? checkedToken(file.apiToken, `${configFile}'s apiToken`) : undefined;
  return { url: localServerUrl({ host, port }), token: given ?? configured, source };
}

/**
 * The server's root from a URL the user gave: http(s), no credentials, no query, and without
 * the API's own /api/v1, which the client adds. What is refused is not repeated in the message
 * (only its scheme): a token pasted in the wrong place would be printed with it.
 */
export function serverUrl(text: string, source: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CommandFailure(`${source} must be the server's URL, like http://127.0.0.1:8887; what was given does not read as a URL.`, EXIT.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CommandFailure(`${source} must be an http:// or https:// URL, like http://127.0.0.1:8887 (it starts with "${url.protocol}").`, EXIT.usage);
  // fetch refuses them, and a password does not belong in a command line.
  if (url.username || url.password) throw new CommandFailure(`${source} must not hold a user name or password; give the API token in FORGE_API_TOKEN (or --token).`, EXIT.usage);
  if (url.search || url.hash) throw new CommandFailure(`${source} must be the server's root URL, like http://127.0.0.1:8887, without a ?query or #fragment; give the API token in FORGE_API_TOKEN (or --token).`, EXIT.usage);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}`;
}

/** A token as given, once it is known to fit in a header; never repeated in the message. */
function checkedToken(token: string, source: string): string {
  if (VISIBLE_ASCII.test(token)) return token;
  throw new CommandFailure(`${source} is not an API token: a token is printable ASCII characters only (letters, digits, punctuation; no spaces, line breaks or other characters). Copy it again.`, EXIT.usage);
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error) {
    throw new CommandFailure(`Cannot read ${file}: ${(error as Error).message}. Fix the JSON, or pass --server <url>.`, EXIT.usage);
  }
}

function portOf(fromEnv: string | undefined, fromFile: unknown): number {
  const value = nonEmpty(fromEnv) ?? fromFile ?? 8887;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CommandFailure(`The configured port ${JSON.stringify(value)} is not a port number (FORGE_PORT or config.json's port).`, EXIT.usage);
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
