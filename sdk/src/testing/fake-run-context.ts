import { tmpdir } from 'node:os';
import type { ApprovalDecision, ApprovalOutcome, ApprovalRequest, ApprovalScope } from '../approvals.ts';
import { matchingChoice } from '../approvals.ts';
import type { ManagedProcess, RunContext, SpawnOptions } from '../context.ts';
import type { McpServer } from '../mcp-servers.ts';
import { FakeProcess, type Recording, type SpawnCall } from './fake-process.ts';
import { createRecordingLogger } from './recording-logger.ts';

/** How the fake host answers one approval request. */
export interface ApprovalAnswer {
  outcome: ApprovalOutcome;
  scope?: ApprovalScope;
  reason?: string;
}

/** Starts a process for a spawn call: the kit's fake, or a real one replaying the recording. */
export type ProcessStarter = (recording: Recording, call: SpawnCall, signal: AbortSignal, cwd: string) => ManagedProcess;

export interface FakeRunContextOptions {
  /** What the first process the executor spawns prints; later ones print nothing and exit 0. */
  recording?: Recording;
  worktreePath?: string;
  branch?: string;
  /** Where the run may write its own files; the caller creates and removes it. Defaults to the OS temp folder. */
  scratchDir?: string;
  mcpServers?: readonly McpServer[];
  /** The executor's settings, as the host would pass them after validation. */
  config?: Readonly<Record<string, unknown>>;
  /** The answers to approval requests, in order; when they run out, requests are approved once. */
  approvals?: readonly ApprovalAnswer[];
  /** How processes start; by default a FakeProcess. */
  startProcess?: ProcessStarter;
}

/** One approval the run asked for and the answer it got. */
export interface AskedApproval {
  request: ApprovalRequest;
  decision: ApprovalDecision;
}

/** A RunContext whose processes replay a recording, with everything the executor did kept for checks. */
export interface FakeRunContext extends RunContext {
  /** Every process the executor started, in order, with how it was started. */
  readonly spawned: readonly SpawnedProcess[];
  /** What the executor logged, as "level: text". */
  readonly logged: readonly string[];
  /** Every approval the run asked for, in order. */
  readonly approvals: readonly AskedApproval[];
  /** Stops the run, as a user stopping the attempt does. */
  abort(): void;
}

/** A process the executor started: the call it made, and what it wrote to it. */
export interface SpawnedProcess {
  readonly call: SpawnCall;
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: string | undefined;
  /** Every line given to the process: the initial stdin, then each writeLine. */
  readonly written: readonly string[];
  readonly process: ManagedProcess;
}

const SILENT: Recording = Object.freeze({ stdout: [] });

const fakeStarter: ProcessStarter = (recording, call, signal) => new FakeProcess(recording, call, signal);

/** Records the lines written to a process by wrapping its writeLine. */
function watched(process: ManagedProcess, call: SpawnCall): SpawnedProcess {
  const written: string[] = process instanceof FakeProcess ? (process.written as string[]) : call.options.stdin === undefined ? [] : call.options.stdin.split('\n').filter((line) => line !== '');
  if (!(process instanceof FakeProcess)) {
    const writeLine = process.writeLine.bind(process);
    process.writeLine = (text: string) => {
      const ok = writeLine(text);
      if (ok) written.push(text);
      return ok;
    };
  }
  return { call, env: call.options.env ?? {}, stdin: call.options.stdin, written, process };
}

/**
 * The context the host hands `run` and `resume`, with no real agent behind it. An executor
 * normally spawns its CLI once per run; the kit models that, so only the first spawn replays.
 */
export function createFakeRunContext(options: FakeRunContextOptions = {}): FakeRunContext {
  const controller = new AbortController();
  const spawned: SpawnedProcess[] = [];
  const approvals: AskedApproval[] = [];
  const answers = [...(options.approvals ?? [])];
  const { log, logged } = createRecordingLogger();
  const worktreePath = options.worktreePath ?? tmpdir();
  const start = options.startProcess ?? fakeStarter;
  return {
    worktree: { path: worktreePath, branch: options.branch ?? 'forge/conformance' },
    signal: controller.signal,
    log,
    mcpServers: options.mcpServers ?? [],
    scratchDir: options.scratchDir ?? tmpdir(),
    config: options.config ?? {},
    spawn(command: string, args: readonly string[], spawnOptions: SpawnOptions = {}) {
      const recording = spawned.length === 0 ? (options.recording ?? SILENT) : SILENT;
      const call = { command, args: [...args], options: { ...spawnOptions } };
      const child = watched(start(recording, call, controller.signal, worktreePath), call);
      spawned.push(child);
      return child.process;
    },
    async requestApproval(request: ApprovalRequest): Promise<ApprovalDecision> {
      const answer = controller.signal.aborted ? undefined : (answers.shift() ?? { outcome: 'approved' });
      const decision: ApprovalDecision =
        answer === undefined
          ? { outcome: 'denied', scope: 'once', by: 'cancelled', reason: 'The run was stopped.' }
          : { outcome: answer.outcome, scope: answer.scope ?? 'once', by: 'user', ...(answer.reason === undefined ? {} : { reason: answer.reason }) };
      const choice = matchingChoice(request.choices, decision.outcome, decision.scope);
      const answered = choice === undefined ? decision : { ...decision, choiceId: choice.id };
      approvals.push({ request, decision: answered });
      return answered;
    },
    spawned,
    logged,
    approvals,
    abort: () => controller.abort(),
  };
}
