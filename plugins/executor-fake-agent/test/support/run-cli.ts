import { spawn, type ChildProcess } from 'node:child_process';
import { FAKE_CLAUDE_SCRIPT } from '../../src/fake-claude-invocation.ts';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the fake CLI the way a person would run `claude`, with only PATH inherited. `onOutput`
 * sees stdout as it arrives, with the process, so a test can act while it still runs.
 */
export function runCli(
  args: readonly string[],
  cwd: string,
  stdin = '',
  env: Record<string, string> = {},
  onOutput?: (stdoutSoFar: string, child: ChildProcess) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAKE_CLAUDE_SCRIPT, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      onOutput?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
