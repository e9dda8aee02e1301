import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRepo } from './git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './server-process.ts';
import { tempDir } from './temp-dir.ts';
import { WORKSPACE_ROOT } from './workspace-root.ts';

export const FORGE_BIN = join(WORKSPACE_ROOT, 'core', 'bin', 'forge.js');
const ASKS_APPROVAL_PACK = fileURLToPath(new URL('../fixtures/packs/asks-approval', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `forgecore` started in the background: what it wrote so far, and a wait for a line it writes. */
export interface RunningCli {
  child: ChildProcess;
  output(): CliRun;
  /** Resolves with the first match of `pattern` in stdout (rejects if the process ends without one). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<CliRun>;
}

/**
 * The environment a user's shell would give `forgecore`, with `env` on top: whatever the test
 * runner's own environment says about the server, the token or colours is left out, so each
 * test says what it means.
 */
export function cliEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of ['FORGE_URL', 'FORGE_API_TOKEN', 'FORGE_HOST', 'FORGE_PORT', 'FORCE_COLOR', 'NO_COLOR', 'FORGE_DEBUG']) delete base[name];
  return { ...base, ...env };
}

/** `forgecore <args>` as a user runs it, started in the background. */
export function startForgecore(env: Record<string, string>, args: readonly string[], command: readonly string[] = [process.execPath, FORGE_BIN]): RunningCli {
  const child = spawn(command[0]!, [...command.slice(1), ...args], { env: cliEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    output: () => ({ code: child.exitCode, stdout, stderr }),
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (!match) return false;
          watchers.delete(check);
          resolve(match);
          return true;
        };
        if (check()) return;
        watchers.add(check);
        void exited.then(() => {
          if (watchers.delete(check)) reject(new Error(`forgecore ${args.join(' ')} ended without printing ${pattern}:\n${stdout}\n${stderr}`));
        });
      });
    },
  };
}

/** `forgecore <args>`, waited for until it exits. */
export function forgecore(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return startForgecore(env, args).exited;
}

export interface ClientServer {
  server: ServerProcess;
  /** FORGE_HOME and FORGE_PORT of the server: the CLI finds it and its token through them. */
  env: Record<string, string>;
  token: string;
  /** A git repository to add as a project. */
  repo: string;
  /** The API's own answer, with the token, for comparing with what the CLI prints. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * A real `forgecore serve` whose API token is in its config.json (so a CLI pointed at the same
 * FORGE_HOME finds it), with the fake agent and the approval-asking fixture pack, and a fresh
 * repository beside it.
 */
export async function startClientServer(): Promise<ClientServer> {
  const dirs = tempDir('forge-cli-client-');
  const home = join(dirs.path, 'home');
  const repo = makeRepo(join(dirs.path, 'repo'), { 'README.md': '# greeting\n' });
  const token = 'cli-client-test-token-7c41';
  mkdirSync(home);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ apiToken: token }));
  const port = await freePort();
  let server: ServerProcess;
  try {
    server = await startServerProcess(home, port, { FORGE_PLUGIN_PATHS: ASKS_APPROVAL_PACK });
  } catch (error) {
    dirs.cleanup();
    throw error;
  }
  return {
    server,
    env: { FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn' },
    token,
    repo,
    async api(method, path, body) {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      server.child.kill('SIGTERM');
      await server.exited;
      dirs.cleanup();
    },
  };
}
