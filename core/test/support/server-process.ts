import { spawn, type ChildProcess } from 'node:child_process';
import { freeLocalPort } from '../../src/runtime/dev-server-port.ts';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './workspace-root.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Everything it wrote so far, stdout and stderr: its log lines. */
  output(): string;
}

/** A free port on 127.0.0.1, picked by the kernel (what a dev server is given as PORT). */
export const freePort = freeLocalPort;

/**
 * Starts `forgecore serve` as its own process, the way `npm start` does, and waits until it is
 * healthy on `port` (FORGE_PORT, unless `serveArgs` choose another with --port).
 */
export async function startServerProcess(
  home: string,
  port: number,
  env: Record<string, string> = {},
  serveArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'core', 'bin', 'forge.js'), 'serve', ...serveArgs], {
    env: { ...process.env, FORGE_HOME: home, FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // A backstop only, far above a slow start on a busy machine: the wait ends when the server
  // answers or its process exits.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`forgecore serve exited with ${child.exitCode}: ${stderr}`);
    const healthy = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { child, url, exited, output: () => output };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`forgecore serve did not become healthy: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
