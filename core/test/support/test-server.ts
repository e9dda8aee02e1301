import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startServer, type RunningServer } from '../../src/start-server.ts';
import { makeRepo } from './git-repo.ts';
import { tempDir } from './temp-dir.ts';

export interface TestServer extends RunningServer {
  home: string;
  /** JSON request against the real HTTP server on 127.0.0.1. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Polls until `check` returns a value, or fails after `timeoutMs`. */
  waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  /** Waits for the attempt to reach a final state and returns it. */
  waitForAttempt(attemptId: string, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

/**
 * A real server on an ephemeral port with its own FORGE_HOME, SQLite file and worktree root;
 * `configFile` is written as its config.json.
 */
export async function startTestServer(env: Record<string, string> = {}, configFile?: Record<string, unknown>): Promise<TestServer> {
  const home = tempDir('forge-home-');
  if (configFile) writeFileSync(join(home.path, 'config.json'), JSON.stringify(configFile));
  const config = loadConfig({ FORGE_HOME: home.path, FORGE_PORT: '0', FORGE_VALIDATE_RESPONSES: '1', FORGE_LOG_LEVEL: 'silent', ...env });
  const running = await startServer(config);
  const base = `${running.url}/api/v1`;
  const request: TestServer['request'] = async (method, path, body, headers = {}) => {
    const response = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const waitFor: TestServer['waitFor'] = async (check, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    ...running,
    home: home.path,
    request,
    waitFor,
    // The server's long poll answers once the attempt has finished, where a GET every 20 ms
    // would keep a core busy while an agent works; an approval waiting ends the long poll at
    // once, and is polled for as before.
    waitForAttempt: (attemptId, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      return waitFor(async () => {
        const timeoutSeconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
        const { body } = await request('GET', `/attempts/${attemptId}/wait?timeoutSeconds=${Math.min(timeoutSeconds, 600)}`);
        if (body?.outcome !== 'finished') return undefined;
        return (await request('GET', `/attempts/${attemptId}`)).body;
      }, timeoutMs);
    },
    async close() {
      await running.stop();
      home.cleanup();
    },
  };
}

export const silentLogger = pino({ level: 'silent' });

export interface ServerWithProject {
  server: TestServer;
  /** The project's repository, in a temporary folder. */
  repo: string;
  projectId: string;
  /** Stops the server and removes its home and the repository. */
  close(): Promise<void>;
}

/** A test server with one project on a fresh repository holding `files` (a README by default). */
export async function startServerWithProject(
  options: { files?: Record<string, string>; env?: Record<string, string>; configFile?: Record<string, unknown> } = {},
): Promise<ServerWithProject> {
  const server = await startTestServer(options.env, options.configFile);
  const repos = tempDir('forge-repos-');
  const repo = makeRepo(join(repos.path, 'app'), options.files);
  const { status, body } = await server.request('POST', '/projects', { name: 'app', repoPath: repo });
  if (status !== 201) throw new Error(`the project was not created: ${status} ${JSON.stringify(body)}`);
  return {
    server,
    repo,
    projectId: body.id,
    async close() {
      await server.close();
      repos.cleanup();
    },
  };
}
