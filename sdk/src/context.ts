/**
 * The narrow capabilities the host lends a pack. A pack never receives the server, the database
 * or a raw child process: the host owns every process it starts for a pack.
 */

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export interface SpawnOptions {
  /** Extra environment on top of the host's allow-listed one. */
  env?: Readonly<Record<string, string>>;
  /** Written to the process's stdin, which is then closed. Omit to close stdin at once. */
  stdin?: string;
}

/** A process the host started for a pack: cwd pinned to the worktree, killed with its tree on abort. */
export interface ManagedProcess {
  readonly pid: number | undefined;
  /** Every output line, stdout and stderr interleaved in arrival order; ends when both close. */
  lines(): AsyncIterable<OutputLine>;
  /** Settles once the process has exited and its output is drained. */
  readonly exited: Promise<ProcessExit>;
}

export interface PackLogger {
  debug(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
}

export interface DetectContext {
  /** The absolute path of an executable on the host's PATH, or null. */
  findExecutable(name: string): Promise<string | null>;
  signal: AbortSignal;
}

export interface RunContext {
  worktree: { path: string; branch: string };
  /** Aborted when the user stops the attempt; the host then kills every process it spawned. */
  signal: AbortSignal;
  log: PackLogger;
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ManagedProcess;
}
