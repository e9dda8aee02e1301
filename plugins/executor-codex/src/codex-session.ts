import { readFileSync } from 'node:fs';
import {
  isRecord,
  recordAt,
  stringAt,
  truncate,
  withoutTerminalEscapes,
  worktreeRoots,
  type ApprovalDecision,
  type DoneEvent,
  type ExecutorEvent,
  type JsonRecord,
  type LogEvent,
  type ManagedProcess,
  type OutputLine,
  type ProcessExit,
  type RunContext,
  type RunFailure,
} from '@forge-core/sdk';
import { codexApproval } from './codex-approvals.ts';
import type { CodexInvocation } from './codex-invocation.ts';
import { CodexItems } from './codex-items.ts';
import { describeTurnError, failureOf, turnErrorOf, type TurnError } from './codex-failure.ts';
import { CodexUsage } from './codex-usage.ts';
import { errorLine, METHOD_NOT_FOUND, notificationLine, parseRpcLine, requestLine, resultLine, type RpcMessage } from './json-rpc.ts';
import { Mailbox } from '@forge-core/sdk/process';
import { ReconnectWatch } from './reconnect-watch.ts';

/** What one run asks of codex. */
export interface CodexRunPlan {
  invocation: CodexInvocation;
  prompt: string;
  model: string | undefined;
  sandbox: string;
  approvalPolicy: string;
  maxReconnectWaitMs: number;
  /** The thread a follow-up continues; a new thread when undefined. */
  resumeThreadId: string | undefined;
}

const PACK_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** How Forge introduces itself in `initialize` (codex shows it in its user agent and logs). */
const CLIENT_INFO = { name: 'forge-core', title: 'Forge Core', version: PACK_VERSION };
/** How long codex may take to exit once its input is closed; the host kills what is left when the run ends. */
const SHUTDOWN_GRACE_MS = 5_000;
const MAX_LOG_TEXT_LENGTH = 10_000;
const STDERR_TAIL_LINES = 3;
/** Within the schema's 100 000 characters, with room for the note of what was cut. */
const MAX_SUMMARY_LENGTH = 99_000;

export const NOT_LOGGED_IN =
  'Codex is not logged in and no API key reaches it, so it would retry the model forever. Run `codex login` as the user the Forge server runs as, ' +
  'or give the attempt an OpenAI API key (the apiKey option), or name OPENAI_API_KEY in the passEnv setting of executors.codex.';

const CANCELLED: DoneEvent = { type: 'done', status: 'cancelled' };
/** The answer when the host fails to decide, which its contract rules out: codex must never wait. */
const UNDECIDED: ApprovalDecision = { outcome: 'denied', scope: 'once', by: 'cancelled', reason: 'Forge could not ask for this approval.' };

/** What the run waits on arrives here: output lines, approval answers to write, the stop, timers. */
type Inbound =
  | { kind: 'line'; line: OutputLine; taken: () => void }
  | { kind: 'write'; text: string }
  | { kind: 'output-ended' }
  | { kind: 'stopped' }
  | { kind: 'reconnect-expired' }
  | { kind: 'grace-expired' };

/** Why a wait ended without what it waited for. */
type Halt = Exclude<Inbound['kind'], 'line' | 'write'>;
type Waited<T> = { value: T } | { halt: Halt };
type Response = Extract<RpcMessage, { kind: 'response' }>;
type Notification = Extract<RpcMessage, { kind: 'notification' }>;

/** The level codex's own log line was written at ("2026-…Z ERROR codex_core: …"). */
function stderrLevel(text: string): LogEvent['level'] {
  const level = /^\S+\s+(ERROR|WARN|INFO|DEBUG|TRACE)\s/.exec(text)?.[1];
  return level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'DEBUG' || level === 'TRACE' ? 'debug' : 'info';
}

function describeExit(exit: ProcessExit): string {
  return exit.signal !== null ? `by signal ${exit.signal}` : `with code ${exit.code}`;
}

function notLoggedIn(result: unknown): boolean {
  return isRecord(result) && result['account'] === null && result['requiresOpenaiAuth'] === true;
}

/** A response's result, when it is an object. */
function resultOf(response: Response): JsonRecord | undefined {
  return isRecord(response.result) ? response.result : undefined;
}

function failed(error: string, failure?: RunFailure): DoneEvent {
  return { type: 'done', status: 'failed', error, ...(failure === undefined ? {} : { failure }) };
}

/**
 * One run of `codex app-server`: initialize, check the login, start (or resume) a thread, run one
 * turn with the prompt, and turn what codex sends into events until the turn completes. Codex's
 * approval requests go to the host and their answers back to codex while the turn goes on.
 */
class CodexSession {
  readonly #plan: CodexRunPlan;
  readonly #ctx: RunContext;
  readonly #child: ManagedProcess;
  readonly #mailbox = new Mailbox<Inbound>();
  readonly #roots: readonly string[];
  readonly #items: CodexItems;
  readonly #usage = new CodexUsage();
  readonly #reconnect: ReconnectWatch;
  readonly #stderrTail: string[] = [];
  #nextId = 1;
  #threadId: string | undefined;
  #turnId: string | undefined;
  /** Set once the outcome is known: what codex still prints is read to the end, not acted on. */
  #draining = false;
  #lastError: TurnError | undefined;
  #lastRetry: TurnError | undefined;
  #rateLimits: JsonRecord | undefined;
  /** The tool whose approval was answered "decline and stop the turn", which ends the turn as interrupted. */
  #stoppedFor: string | undefined;
  /** Set when the run is over: the pump stops reading, and lets go of the line it holds. */
  #closed = false;
  #releaseLine: (() => void) | undefined;

  constructor(plan: CodexRunPlan, ctx: RunContext, child: ManagedProcess) {
    this.#plan = plan;
    this.#ctx = ctx;
    this.#child = child;
    this.#roots = worktreeRoots(ctx.worktree.path);
    this.#items = new CodexItems(this.#roots);
    this.#reconnect = new ReconnectWatch(plan.maxReconnectWaitMs, () => this.#mailbox.push({ kind: 'reconnect-expired' }));
    void this.#pump();
    ctx.signal.addEventListener('abort', this.#onStop, { once: true });
  }

  close(): void {
    this.#closed = true;
    this.#releaseLine?.();
    this.#ctx.signal.removeEventListener('abort', this.#onStop);
    this.#reconnect.stop();
  }

  async *run(): AsyncGenerator<ExecutorEvent> {
    const init = yield* this.#call('initialize', { clientInfo: CLIENT_INFO, capabilities: null });
    if ('halt' in init) return yield* this.#halted(init.halt);
    if (init.value.error !== undefined) return yield* this.#fail(`codex app-server refused to initialize: ${init.value.error.message}`);
    const userAgent = stringAt(resultOf(init.value), 'userAgent');
    if (userAgent !== undefined) yield { type: 'log', level: 'info', text: `codex app-server ${userAgent}` };
    this.#child.writeLine(notificationLine('initialized'));

    // Offline and logged out, codex would take the turn and retry the model forever: this answers at once.
    const account = yield* this.#call('account/read', { refreshToken: false });
    if ('halt' in account) return yield* this.#halted(account.halt);
    if (account.value.error !== undefined) yield { type: 'log', level: 'warn', text: `codex could not say which account it uses (${account.value.error.message}); going on` };
    else if (notLoggedIn(account.value.result) && !this.#plan.invocation.hasApiKey) return yield* this.#fail(NOT_LOGGED_IN, { kind: 'auth' });

    const resumed = this.#plan.resumeThreadId;
    const thread = yield* this.#call(resumed === undefined ? 'thread/start' : 'thread/resume', this.#threadParams());
    if ('halt' in thread) return yield* this.#halted(thread.halt);
    if (thread.value.error !== undefined) {
      const what = resumed === undefined ? 'start a thread' : `resume thread ${resumed}`;
      return yield* this.#fail(`codex could not ${what}: ${thread.value.error.message}`);
    }
    const started = resultOf(thread.value);
    const threadId = stringAt(recordAt(started, 'thread'), 'id');
    if (threadId === undefined || threadId === '') return yield* this.#fail('codex answered without a thread id, so the run could not go on');
    this.#threadId = threadId;
    const model = stringAt(started, 'model');
    yield { type: 'session', sessionId: threadId, ...(model === undefined || model === '' ? {} : { model }) };

    const turn = yield* this.#call('turn/start', { threadId, input: [{ type: 'text', text: this.#plan.prompt, text_elements: [] }] });
    if ('halt' in turn) return yield* this.#halted(turn.halt);
    if (turn.value.error !== undefined) return yield* this.#fail(`codex did not start the turn: ${turn.value.error.message}`);
    this.#turnId = stringAt(recordAt(resultOf(turn.value), 'turn'), 'id');

    const completed = yield* this.#waitFor((message) => (message.kind === 'notification' && message.method === 'turn/completed' && this.#isOurs(message.params) ? message : undefined));
    if ('halt' in completed) return yield* this.#halted(completed.halt);
    this.#turnId = undefined;
    return yield* this.#finish(this.#outcome(completed.value));
  }

  #threadParams(): JsonRecord {
    const { model, sandbox, approvalPolicy, resumeThreadId } = this.#plan;
    const settings = { cwd: this.#ctx.worktree.path, approvalPolicy, sandbox, ...(model === undefined ? {} : { model }) };
    return resumeThreadId === undefined ? settings : { threadId: resumeThreadId, ...settings };
  }

  /** Whether a notification is about this run's turn, not a sub-agent's thread or an earlier turn. */
  #isOurs(params: JsonRecord): boolean {
    const threadId = stringAt(params, 'threadId');
    const turnId = stringAt(recordAt(params, 'turn'), 'id') ?? stringAt(params, 'turnId');
    return (threadId === undefined || threadId === this.#threadId) && (turnId === undefined || this.#turnId === undefined || turnId === this.#turnId);
  }

  #outcome(completed: Notification): DoneEvent {
    const turn = recordAt(completed.params, 'turn');
    const status = stringAt(turn, 'status');
    if (status === 'completed') {
      const summary = this.#items.lastMessage;
      return { type: 'done', status: 'succeeded', ...(summary === undefined ? {} : { summary: truncate(summary, MAX_SUMMARY_LENGTH) }) };
    }
    if (status === 'interrupted') {
      return failed(this.#stoppedFor === undefined ? 'Codex interrupted the turn.' : `Codex stopped the turn: its ${this.#stoppedFor} was declined with "decline and stop the turn".`);
    }
    const error = turnErrorOf(recordAt(turn, 'error'), completed.emittedAtMs) ?? this.#lastError;
    if (error === undefined) return failed(`Codex ended the turn with status ${status ?? 'unknown'}.`);
    return failed(describeTurnError(error), failureOf(error, this.#rateLimits) ?? (this.#lastError === undefined ? undefined : failureOf(this.#lastError, this.#rateLimits)));
  }

  async *#call(method: string, params: unknown): AsyncGenerator<ExecutorEvent, Waited<Response>> {
    const id = this.#nextId++;
    this.#child.writeLine(requestLine(id, method, params));
    return yield* this.#waitFor((message) => (message.kind === 'response' && message.id === id ? message : undefined));
  }

  /** Handles whatever arrives, yielding its events, until `pick` takes a message or the wait is cut short. */
  async *#waitFor<T>(pick: (message: RpcMessage) => T | undefined): AsyncGenerator<ExecutorEvent, Waited<T>> {
    for (;;) {
      const inbound = await this.#mailbox.take();
      if (inbound.kind === 'write') {
        this.#child.writeLine(inbound.text);
        continue;
      }
      if (inbound.kind !== 'line') return { halt: inbound.kind };
      inbound.taken();
      const { stream, text } = inbound.line;
      if (stream === 'stderr') {
        const log = this.#stderrLog(text);
        if (log !== undefined) yield log;
        continue;
      }
      const message = parseRpcLine(text);
      if (message === null) {
        if (text.trim() !== '') yield { type: 'log', level: 'warn', stream: 'stdout', text: `codex printed a line that is not a JSON-RPC message: ${truncate(text, MAX_LOG_TEXT_LENGTH)}` };
        continue;
      }
      const picked = pick(message);
      if (picked !== undefined) return { value: picked };
      if (message.kind === 'request') yield* this.#answer(message);
      else if (message.kind === 'notification' && !this.#draining) {
        const halt = yield* this.#notified(message);
        if (halt !== undefined) return { halt };
      }
    }
  }

  /** A request from codex: an approval goes to the host, anything else gets an error so codex never waits. */
  async *#answer(request: Extract<RpcMessage, { kind: 'request' }>): AsyncGenerator<ExecutorEvent> {
    const approval = this.#draining ? undefined : codexApproval(request.method, request.params, (itemId) => this.#items.pathsOf(itemId), this.#roots);
    if (approval === undefined) {
      const why = this.#draining ? 'the run is ending' : `Forge does not answer ${request.method}`;
      this.#child.writeLine(errorLine(request.id, METHOD_NOT_FOUND, why));
      yield { type: 'log', level: 'warn', text: `codex asked ${request.method} and was told: ${why}` };
      return;
    }
    const settle = (decision: ApprovalDecision) => {
      const { result, stopsTurn } = approval.answer(decision);
      if (stopsTurn) this.#stoppedFor = approval.request.tool;
      this.#mailbox.push({ kind: 'write', text: resultLine(request.id, result) });
    };
    this.#ctx.requestApproval(approval.request).then(settle, () => settle(UNDECIDED));
  }

  /** A notification of the turn: events for items, usage and plans; logs for warnings and errors. */
  async *#notified({ method, params, emittedAtMs }: Notification): AsyncGenerator<ExecutorEvent, Halt | undefined> {
    const threadId = stringAt(params, 'threadId');
    if (threadId !== undefined && this.#threadId !== undefined && threadId !== this.#threadId) return undefined;
    if (method.startsWith('item/') || method === 'thread/tokenUsage/updated') this.#reconnect.progress();
    switch (method) {
      case 'item/started':
        yield* this.#items.started(recordAt(params, 'item') ?? {});
        return undefined;
      case 'item/completed':
        yield* this.#items.completed(recordAt(params, 'item') ?? {});
        return undefined;
      case 'turn/plan/updated':
        yield* this.#items.planUpdated(params);
        return undefined;
      case 'thread/tokenUsage/updated': {
        const usage = this.#usage.update(recordAt(params, 'tokenUsage'));
        if (usage !== undefined) yield usage;
        return undefined;
      }
      case 'account/rateLimits/updated':
        this.#rateLimits = recordAt(params, 'rateLimits');
        return undefined;
      case 'error':
        return yield* this.#errorNotified(params, emittedAtMs);
      case 'warning':
      case 'configWarning':
      case 'deprecationNotice':
      case 'guardianWarning': {
        const text = stringAt(params, 'message') ?? stringAt(params, 'summary');
        if (text !== undefined) yield { type: 'log', level: 'warn', text: `codex: ${truncate(text, MAX_LOG_TEXT_LENGTH)}` };
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** An `error` notification: one codex will retry is a warning, and its row of retries is bounded; another is the turn's error. */
  async *#errorNotified(params: JsonRecord, emittedAtMs: number | undefined): AsyncGenerator<ExecutorEvent, Halt | undefined> {
    const error = turnErrorOf(recordAt(params, 'error'), emittedAtMs);
    if (error === undefined) return undefined;
    const text = truncate(describeTurnError(error), MAX_LOG_TEXT_LENGTH);
    if (params['willRetry'] !== true) {
      this.#lastError = error;
      yield { type: 'log', level: 'error', text: `codex: ${text}` };
      return undefined;
    }
    this.#lastRetry = error;
    yield { type: 'log', level: 'warn', text: `codex is retrying: ${text}` };
    return this.#reconnect.retry() ? 'reconnect-expired' : undefined;
  }

  #stderrLog(text: string): LogEvent | undefined {
    const clean = withoutTerminalEscapes(text).trim();
    if (clean === '') return undefined;
    this.#stderrTail.push(clean);
    if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
    return { type: 'log', level: stderrLevel(clean), stream: 'stderr', text: truncate(clean, MAX_LOG_TEXT_LENGTH) };
  }

  /** The end of a wait cut short, as the run's end. */
  async *#halted(halt: Halt): AsyncGenerator<ExecutorEvent> {
    if (halt === 'stopped') {
      yield CANCELLED;
      return;
    }
    if (halt === 'reconnect-expired') {
      this.#interrupt();
      const retry = this.#lastRetry;
      const limit = this.#plan.maxReconnectWaitMs;
      const message =
        `Codex could not reach the model: it was still retrying after ${this.#reconnect.retries} attempt(s) and maxReconnectWaitMs (${limit} ms), so the turn was stopped. ` +
        `Last error: ${retry === undefined ? 'none reported' : describeTurnError(retry)}. Check the network and the account, or raise maxReconnectWaitMs.`;
      return yield* this.#fail(message, retry === undefined ? undefined : failureOf(retry, this.#rateLimits));
    }
    if (halt === 'output-ended') {
      const exit = await this.#child.exited;
      const tail = this.#stderrTail.length > 0 ? `: ${this.#stderrTail.join(' / ')}` : '';
      yield { ...failed(`codex app-server exited ${describeExit(exit)} before the turn finished${tail}`), exitCode: exit.code };
      return;
    }
    yield* this.#fail('codex app-server stopped answering');
  }

  #fail(error: string, failure?: RunFailure): AsyncGenerator<ExecutorEvent> {
    return this.#finish(failed(error, failure));
  }

  /** Ends codex's input, reads what it still prints until it exits (or the grace runs out), then yields `done`. */
  async *#finish(done: DoneEvent): AsyncGenerator<ExecutorEvent> {
    this.#draining = true;
    this.#reconnect.stop();
    this.#child.closeStdin();
    const grace = setTimeout(() => this.#mailbox.push({ kind: 'grace-expired' }), SHUTDOWN_GRACE_MS);
    const drained = yield* this.#waitFor(() => undefined);
    clearTimeout(grace);
    if ('halt' in drained && drained.halt === 'stopped') {
      yield CANCELLED;
      return;
    }
    const exit = 'halt' in drained && drained.halt === 'output-ended' ? await this.#child.exited : undefined;
    yield exit === undefined ? done : { ...done, exitCode: exit.code };
  }

  /** Asks codex to stop the turn in flight, if there is one. */
  #interrupt(): void {
    if (this.#threadId === undefined || this.#turnId === undefined) return;
    this.#child.writeLine(requestLine(this.#nextId++, 'turn/interrupt', { threadId: this.#threadId, turnId: this.#turnId }));
    this.#turnId = undefined;
  }

  readonly #onStop = (): void => {
    this.#interrupt();
    this.#child.closeStdin();
    this.#mailbox.push({ kind: 'stopped' });
  };

  /** Moves output lines into the mailbox one at a time, so a slow reader slows the process (back-pressure). */
  async #pump(): Promise<void> {
    try {
      for await (const line of this.#child.lines()) {
        if (this.#closed) break;
        await new Promise<void>((taken) => {
          this.#releaseLine = taken;
          this.#mailbox.push({ kind: 'line', line, taken });
        });
      }
    } finally {
      this.#mailbox.push({ kind: 'output-ended' });
    }
  }
}

/** Runs codex for one run: spawned interactive in the worktree, ended with exactly one `done`. */
export async function* runCodexSession(plan: CodexRunPlan, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  if (ctx.signal.aborted) {
    yield CANCELLED;
    return;
  }
  const child = ctx.spawn(plan.invocation.command, plan.invocation.args, { env: plan.invocation.env, interactive: true });
  const session = new CodexSession(plan, ctx, child);
  try {
    yield* session.run();
  } finally {
    session.close();
  }
}
