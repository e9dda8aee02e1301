import { spawn } from 'node:child_process';
import type { CommandResult } from '../context.ts';

const MAX_OUTPUT_CHARS = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Runs a short command for a pack (`claude --version` in detect): stdin closed, output capped,
 * its process group killed at the time limit. Never throws: a command that cannot start gives
 * code null and the reason on stderr.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const output = { stdout: '', stderr: '' };
    let settled = false;
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(kill, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    options.signal?.addEventListener('abort', kill, { once: true });
    const finish = (code: number | null, extra?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      kill(); // whatever it left running in its group
      resolve({ code, stdout: output.stdout, stderr: extra === undefined ? output.stderr : `${output.stderr}${extra}` });
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        if (output[stream].length < MAX_OUTPUT_CHARS) output[stream] = (output[stream] + chunk).slice(0, MAX_OUTPUT_CHARS);
      });
    }
    child.once('error', (error) => finish(null, `could not start ${command}: ${error.message}`));
    child.once('close', (code) => finish(code));
  });
}
