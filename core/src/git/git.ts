import { execFile } from 'node:child_process';

export interface GitResult {
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  /** Default 120 s: a checkout of a large repository on a slow disk can take a while. */
  timeoutMs?: number;
  input?: string;
  env?: Readonly<Record<string, string>>;
}

/** A git command that exited non-zero; `stderr` carries git's own explanation. */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim() || stdout.trim()}`);
  }
}

// Git must never stop to ask a question (no terminal is there to answer) and must print its
// messages in English so the few we parse stay parseable.
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', LC_ALL: 'C', LANG: 'C' };

/**
 * The one way Forge runs git: the CLI with an argument array, never a shell, so no path or
 * branch name can be interpreted as shell syntax.
 */
export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args as string[],
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, ...GIT_ENV, ...options.env },
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new GitCommandError(args, code, stderr, stdout));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (options.input !== undefined) {
      // A git that exits before reading its input (a commit refused for want of an identity)
      // closes the pipe: the write's EPIPE would be an uncaught error that ends the server. How
      // git ended is reported by the callback above.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input);
    }
  });
}

/** Runs git and returns trimmed stdout. */
export async function gitOutput(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).stdout.trim();
}

/** True when git exits 0, false when it exits 1; any other failure is thrown. */
export async function gitSucceeds(args: readonly string[], options: GitOptions): Promise<boolean> {
  try {
    await git(args, options);
    return true;
  } catch (error) {
    if (error instanceof GitCommandError && error.exitCode === 1) return false;
    throw error;
  }
}
