import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../core/test/support/server-process.ts';
import { request } from './http.ts';
import { msSince } from './stats.ts';

export const WORKSPACE_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The node arguments of the root `npm start` script ("exec node <flags> core/bin/forge.js serve"),
 * so the bench measures exactly the server that `npm start` runs, V8 flags included.
 */
export function startArguments(): string[] {
  const pkg = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.replace(/^exec\s+/, '').split(/\s+/);
  if (node !== 'node') throw new Error(`the start script no longer begins with node: ${pkg.scripts.start}`);
  return args.map((arg) => (arg.endsWith('.js') ? join(WORKSPACE_ROOT, arg) : arg));
}
const HEALTHY_WITHIN_MS = 30_000;
// Short, so the measured time to the first healthy answer is off by at most this much.
const HEALTH_POLL_MS = 5;
const STOP_GRACE_MS = 10_000;
const OUTPUT_KEPT_CHARS = 4_000;

export interface ForgeServer {
  pid: number;
  url: string;
  /** From spawn() to the first 200 from GET /api/v1/health. */
  spawnToHealthyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `forgecore serve` the way `npm start` does (or with other node arguments, to compare),
 * as its own process, and waits until it answers health.
 */
export async function startForge(home: string, env: Record<string, string> = {}, nodeArguments = startArguments()): Promise<ForgeServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, nodeArguments, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, FORGE_HOME: home, FORGE_HOST: '127.0.0.1', FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept (the tail only) to explain a failure; read continuously so a chatty server never blocks on a full pipe.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT_CHARS));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = () => stopChild(child, 'SIGTERM');
  const agent = new http.Agent({ keepAlive: false });
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`forgecore serve exited early (${child.exitCode ?? child.signalCode}): ${output}`);
      const healthy = await request(agent, `${url}/api/v1/health`, 'GET').then((r) => r.status === 200, () => false);
      if (healthy) return { pid: child.pid!, url, spawnToHealthyMs: msSince(start), stop };
      if (msSince(start) > HEALTHY_WITHIN_MS) throw new Error(`forgecore serve was not healthy within ${HEALTHY_WITHIN_MS} ms: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    agent.destroy();
  }
}

/** Signals one child we started (by its pid) and waits for it to exit, escalating to SIGKILL. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (exited()) return;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const graceful = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref())]);
  if (!graceful && !exited()) {
    child.kill('SIGKILL');
    await exit;
  }
}
