/**
 * The narrow capabilities the host lends a pack. A pack never receives the server, the database
 * or a raw child process: the host owns every process it starts for a pack.
 */
import type { ApprovalDecision, ApprovalRequest } from './approvals.ts';
import type { McpServer } from './mcp-servers.ts';

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
  /** Written to the process's stdin, which is then closed (unless `interactive`). Omit to close stdin at once. */
  stdin?: string;
  /**
   * Keep stdin open (after `stdin`, if given, is written) for protocols that talk both ways:
   * stream-json input, JSON-RPC over stdio. The pack writes with `writeLine` and ends the input
   * with `closeStdin`; the host closes it anyway when the run ends. Since contract 1.1.
   */
  interactive?: boolean;
}

/** A process the host started for a pack: cwd pinned to the worktree, killed with its tree on abort. */
export interface ManagedProcess {
  readonly pid: number | undefined;
  /** Every output line, stdout and stderr interleaved in arrival order; ends when both close. */
  lines(): AsyncIterable<OutputLine>;
  /** Settles once the process has exited and its output is drained. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Writes one line (the newline is added) to an interactive process's stdin. False when its
   * input is closed or it has exited; a TypeError for text holding a newline. Since contract 1.1.
   */
  writeLine(text: string): boolean;
  /** Ends the process's input (EOF). Safe to call more than once. Since contract 1.1. */
  closeStdin(): void;
}

/** What a short command the host ran for a pack (`claude --version`) printed. */
export interface CommandResult {
  /** The exit code; null when it was killed or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
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
  /**
   * Runs a short command (a `--version`) with the agent's environment, stdin closed, output
   * capped and a time limit; it never throws. Since contract 1.1.
   */
  exec(command: string, args: readonly string[], options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** The executor's settings from the server's configuration, validated against its `config` descriptors. Since contract 1.1. */
  config: Readonly<Record<string, unknown>>;
}

export interface RunContext {
  worktree: { path: string; branch: string };
  /** Aborted when the user stops the attempt; the host then kills every process it spawned. */
  signal: AbortSignal;
  log: PackLogger;
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ManagedProcess;
  /**
   * Asks for a decision about a tool call the agent wants to make, and waits for it. The host
   * records a pending approval, shows it in the attempt's log and the event log, and answers it
   * from the API, from an earlier "always" for the same tool in this attempt, or from its
   * timeout (a denial). It never rejects: a run that is stopped gets a denial `by: 'cancelled'`.
   * Since contract 1.1.
   */
  requestApproval(request: ApprovalRequest): Promise<ApprovalDecision>;
  /**
   * The MCP servers this run should see. A pack passes them through its CLI's per-run
   * mechanism (a config file in `scratchDir`, a flag), never by editing the user's own agent
   * configuration. Since contract 1.1.
   */
  mcpServers: readonly McpServer[];
  /** A private folder (mode 0700) for this run's files; the host creates it and removes it after the run. Since contract 1.1. */
  scratchDir: string;
  /** The executor's settings from the server's configuration, validated against its `config` descriptors. Since contract 1.1. */
  config: Readonly<Record<string, unknown>>;
}
