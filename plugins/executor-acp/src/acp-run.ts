import { readFileSync } from 'node:fs';
import {
  client,
  methods,
  PROTOCOL_VERSION,
  type ClientConnection,
  type InitializeResponse,
  type McpServer as AcpMcpServer,
  type NewSessionResponse,
  type PromptResponse,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionConfigOption,
  type SessionModeState,
  type SessionUpdate,
} from '@agentclientprotocol/sdk/unstable';
import {
  truncate,
  withoutTerminalEscapes,
  worktreeRoots,
  type DoneEvent,
  type ExecutorEvent,
  type ManagedProcess,
  type ProcessExit,
  type RunContext,
  type RunFailure,
} from '@forge-core/sdk';
import { Mailbox, MAX_LINE_BYTES } from '@forge-core/sdk/process';
import type { AcpRunPlan } from './acp-run-plan.ts';
import { agentErrorOf, describeAgentError, failureOf, type AgentError } from './agent-failure.ts';
import { describeAgent } from './agent-description.ts';
import { acpMcpServers } from './mcp-servers.ts';
import { approvalRequestOf, permissionResponseOf } from './permission-requests.ts';
import { processStream } from './process-stream.ts';
import { SessionUpdates, usageOf } from './session-updates.ts';
import { WorktreeFiles } from './worktree-files.ts';
import { WorktreeTerminals } from './worktree-terminals.ts';

const PACK_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const CLIENT_INFO = { name: 'forge-core', title: 'Forge Core', version: PACK_VERSION };
/** How long the agent may take to end its turn after `session/cancel`, and to exit once its input is closed. */
const GRACE_MS = 5_000;
const MAX_LOG_TEXT_LENGTH = 10_000;
const STDERR_TAIL_LINES = 3;
/** Within the schema's 100 000 characters, with room for the note of what was cut. */
const MAX_SUMMARY_LENGTH = 99_000;
/** Events waiting for the host beyond this stop the reading of the agent's output until the host catches up. */
const HIGH_WATER = 256;
/** How long the agent may take to answer `initialize`: the real ones take 0.3–4 s, `npx -y` may first download. */
const HANDSHAKE_TIMEOUT_MS = 120_000;
/** How long a stopped agent may take to answer its prompt "cancelled" before the host stops it. */
const STOP_GRACE_MS = 1_000;

const CANCELLED: DoneEvent = { type: 'done', status: 'cancelled' };

/** What arrives while the run waits: events in the order the agent sent them, and what cuts a wait short. */
type Inbound =
  | { kind: 'events'; events: ExecutorEvent[] }
  | { kind: 'approval'; request: RequestPermissionRequest; answer: (response: RequestPermissionResponse) => void }
  | { kind: 'settled'; call: number }
  | { kind: 'output-ended' }
  | { kind: 'stopped' }
  | { kind: 'turn-timeout' }
  | { kind: 'idle-timeout' }
  | { kind: 'handshake-timeout' }
  | { kind: 'message-too-large' }
  | { kind: 'grace-expired' };

type Halt = Exclude<Inbound['kind'], 'events' | 'approval' | 'settled'>;
type Settled<T> = { value: T } | { error: AgentError };
type Waited<T> = Settled<T> | { halt: Halt };

function failed(error: string, failure?: RunFailure): DoneEvent {
  return { type: 'done', status: 'failed', error, ...(failure === undefined ? {} : { failure }) };
}

function describeExit(exit: ProcessExit): string {
  return exit.signal !== null ? `by signal ${exit.signal}` : `with code ${exit.code}`;
}

/** What a turn's stop reason means for the attempt. */
function outcomeOf(response: PromptResponse, summary: string | undefined, agentName: string): DoneEvent {
  switch (response.stopReason) {
    case 'end_turn':
      return { type: 'done', status: 'succeeded', ...(summary === undefined ? {} : { summary: truncate(summary, MAX_SUMMARY_LENGTH) }) };
    case 'max_tokens':
      return failed(`${agentName} stopped: the model reached its token limit before the turn was done.`);
    case 'max_turn_requests':
      return failed(`${agentName} stopped: it reached its limit of model requests in one turn.`);
    case 'refusal':
      return failed(`${agentName} refused to go on with this prompt.`);
    case 'cancelled':
      return failed(`${agentName} cancelled the turn by itself.`);
    default:
      return failed(`${agentName} ended the turn with stop reason ${String(response.stopReason)}.`);
  }
}

/**
 * One run of an ACP agent over stdio: `initialize`, a session (new, loaded or resumed), the mode
 * and model asked for, one `session/prompt`, and the agent's updates as events until the prompt
 * answers. The agent's permission requests become approvals, its file and terminal requests are
 * served inside the worktree, a stop sends `session/cancel`. The connection is the ACP SDK's,
 * over the process the host started.
 */
class AcpRun {
  readonly #plan: AcpRunPlan;
  readonly #ctx: RunContext;
  readonly #child: ManagedProcess;
  readonly #mailbox = new Mailbox<Inbound>();
  readonly #updates: SessionUpdates;
  readonly #terminals: WorktreeTerminals;
  readonly #connection: ClientConnection;
  readonly #stderrTail: string[] = [];
  /** The worktree's path as given and as real (a realpath, worked out once). */
  readonly #roots: readonly string[];
  #sessionId: string | undefined;
  /**
   * What came before the session's id was known, in order: updates with the session each named,
   * and what our own requests did. Kept until the run has shown all of it, not only until the id
   * is known: an update mapped before the earlier ones would take its place in the chunks being
   * merged, and come out ahead of them.
   */
  readonly #early: ({ sessionId: string; update: SessionUpdate } | { events: ExecutorEvent[] })[] = [];
  #earlyShown = false;
  /** Permission requests that came before the session's id was known. */
  readonly #heldApprovals: Extract<Inbound, { kind: 'approval' }>[] = [];
  /** While `session/load` replays the history, its updates are not this run's. */
  #replaying = false;
  /** Once the outcome is known, what still arrives is read and dropped. */
  #draining = false;
  #pendingApprovals = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #turnTimer: NodeJS.Timeout | undefined;
  #backlog = 0;
  /** Our requests, numbered as sent, so a wait ends on its own answer. */
  #calls = 0;
  #resumeReading: (() => void) | undefined;

  constructor(plan: AcpRunPlan, ctx: RunContext, child: ManagedProcess) {
    this.#plan = plan;
    this.#ctx = ctx;
    this.#child = child;
    this.#roots = worktreeRoots(ctx.worktree.path);
    const roots = this.#roots;
    // What a file or terminal request did comes after what the agent said before it.
    const note = (event: ExecutorEvent) => {
      if (event.type === 'file_change') this.#updates.writtenByClient(event.path);
      this.#show([...this.#updates.flush(), event]);
    };
    this.#terminals = new WorktreeTerminals(ctx, note, () => this.#agentSpoke());
    this.#updates = new SessionUpdates(roots, (id) => this.#terminals.outputOf(id));
    const files = new WorktreeFiles(ctx.worktree.path, roots, note);
    const stream = processStream(
      child,
      (line) => this.#push({ kind: 'events', events: this.#otherLine(line.stream, line.text) }),
      () => this.#push({ kind: 'output-ended' }),
      () => this.#readable(),
    );
    this.#connection = client({ name: 'forge-core' })
      .onNotification(methods.client.session.update, ({ params }) => {
        if (this.#replaying || this.#draining || (this.#sessionId !== undefined && params.sessionId !== this.#sessionId)) return this.#agentSpoke();
        // Kept as it came until what came before the session's id is shown: whose it is, is known later.
        if (!this.#earlyShown) this.#early.push({ sessionId: params.sessionId, update: params.update });
        else this.#show(this.#updates.map(params.update));
        this.#agentSpoke();
      })
      .onRequest(methods.client.session.requestPermission, ({ params }) => {
        this.#agentSpoke();
        return new Promise<RequestPermissionResponse>((answer) => this.#push({ kind: 'approval', request: params, answer }));
      })
      // A request of the agent is a sign of life once served: a terminal it started then pauses the silence bound.
      .onRequest(methods.client.fs.readTextFile, ({ params }) => this.#served(() => files.read(params)))
      .onRequest(methods.client.fs.writeTextFile, ({ params }) => this.#served(() => files.write(params)))
      .onRequest(methods.client.terminal.create, ({ params }) => this.#served(() => this.#terminals.create(params)))
      .onRequest(methods.client.terminal.output, ({ params }) => this.#served(() => this.#terminals.output(params.terminalId)))
      .onRequest(methods.client.terminal.waitForExit, ({ params }) => this.#served(() => this.#terminals.waitForExit(params.terminalId)))
      .onRequest(methods.client.terminal.kill, ({ params }) => this.#served(() => this.#terminals.kill(params.terminalId)))
      .onRequest(methods.client.terminal.release, ({ params }) => this.#served(() => this.#terminals.release(params.terminalId)))
      .connect(stream);
    ctx.signal.addEventListener('abort', this.#onStop, { once: true });
  }

  close(): void {
    this.#ctx.signal.removeEventListener('abort', this.#onStop);
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#turnTimer);
    this.#resumeReading?.();
    this.#connection.close();
  }

  async *run(): AsyncGenerator<ExecutorEvent> {
    const { agentName } = this.#plan;
    if (this.#plan.turnTimeoutMs > 0) this.#turnTimer = setTimeout(() => this.#push({ kind: 'turn-timeout' }), this.#plan.turnTimeoutMs);
    // Starting may take long (npx fetching the package, a first run unpacking itself); silence is measured from the first answer.
    const handshake = setTimeout(() => this.#push({ kind: 'handshake-timeout' }), HANDSHAKE_TIMEOUT_MS);
    const init = yield* this.#call<InitializeResponse>(methods.agent.initialize, {
      protocolVersion: PROTOCOL_VERSION,
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
      clientInfo: CLIENT_INFO,
    });
    clearTimeout(handshake);
    if ('halt' in init) return yield* this.#halted(init.halt);
    if ('error' in init) return yield* this.#failOn(`${agentName} did not initialize${await this.#exitNote()}`, init.error);
    if (init.value.protocolVersion !== PROTOCOL_VERSION) {
      return yield* this.#finish(failed(`${agentName} speaks ACP version ${JSON.stringify(init.value.protocolVersion)}; Forge speaks version ${PROTOCOL_VERSION}. Use a version of the agent that speaks ACP ${PROTOCOL_VERSION}.`));
    }
    yield { type: 'log', level: 'info', text: describeAgent(agentName, init.value) };

    const capabilities = init.value.agentCapabilities ?? {};
    const mcp = acpMcpServers(this.#ctx.mcpServers, capabilities.mcpCapabilities ?? {});
    for (const skipped of mcp.skipped) yield { type: 'log', level: 'warn', text: `${agentName} cannot use MCP server ${skipped.name} over ${skipped.transport}; it is left out of this run.` };

    const session = yield* this.#openSession(capabilities.loadSession === true, capabilities.sessionCapabilities?.resume != null, mcp.servers);
    if ('halt' in session) return yield* this.#halted(session.halt);
    if ('error' in session) return yield* this.#failOn(`${agentName} did not start a session`, session.error);
    const { sessionId, prompt } = session.value;
    yield { type: 'session', sessionId };
    // What arrives while these are shown joins the end of the list, so nothing overtakes them.
    for (let early = this.#early.shift(); early !== undefined; early = this.#early.shift()) {
      if ('events' in early) yield* early.events;
      else if (early.sessionId === sessionId) yield* this.#updates.map(early.update);
    }
    this.#earlyShown = true;
    for (const held of this.#heldApprovals.splice(0)) yield* this.#ask(held.request, held.answer);

    const configured = yield* this.#configure(session.value.modes, session.value.configOptions);
    if (configured !== undefined) return yield* this.#halted(configured);

    const turn = yield* this.#call<PromptResponse>(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: prompt }] });
    clearTimeout(this.#turnTimer);
    yield* this.#updates.flush();
    if ('halt' in turn) return yield* this.#halted(turn.halt);
    if ('error' in turn) return yield* this.#failOn(`${agentName} failed the turn`, turn.error);
    const usage = this.#updates.reportedUsage ? undefined : usageOf(turn.value);
    if (usage !== undefined) yield usage;
    return yield* this.#finish(outcomeOf(turn.value, this.#updates.lastMessage, agentName));
  }

  /**
   * A new session, or the earlier one for a follow-up: loaded when the agent can (its history
   * replayed to it and not shown again), else resumed, else — or when loading fails — a new
   * session whose prompt says the worktree holds the earlier work.
   */
  async *#openSession(
    canLoad: boolean,
    canResume: boolean,
    mcpServers: AcpMcpServer[],
  ): AsyncGenerator<ExecutorEvent, Waited<{ sessionId: string; prompt: string; modes?: SessionModeState | null; configOptions?: SessionConfigOption[] | null }>> {
    const cwd = this.#ctx.worktree.path;
    const { resumeSessionId: earlier, prompt, agentName } = this.#plan;
    if (earlier !== undefined && (canLoad || canResume)) {
      this.#sessionId = earlier;
      this.#replaying = canLoad;
      const method = canLoad ? methods.agent.session.load : methods.agent.session.resume;
      const reopened = yield* this.#call<NewSessionResponse>(method, { sessionId: earlier, cwd, mcpServers });
      this.#replaying = false;
      if (!('error' in reopened)) return 'halt' in reopened ? reopened : { value: { ...reopened.value, sessionId: earlier, prompt } };
      yield { type: 'log', level: 'warn', text: `${agentName} could not ${canLoad ? 'load' : 'resume'} session ${earlier} (${describeAgentError(reopened.error)}); starting a new session.` };
    } else if (earlier !== undefined) {
      yield { type: 'log', level: 'info', text: `${agentName} cannot load or resume a session, so this follow-up starts a new one; the worktree holds the earlier work.` };
    }
    const created = yield* this.#call<NewSessionResponse>(methods.agent.session.new, { cwd, mcpServers });
    if (!('value' in created)) return created;
    this.#sessionId = created.value.sessionId;
    const continued =
      earlier === undefined
        ? prompt
        : `This continues earlier work on this task in this folder (session ${earlier}, which could not be reopened); what was done so far is in the files and in \`git log\` and \`git diff\`.\n\n${prompt}`;
    return { value: { ...created.value, prompt: continued } };
  }

  /** Switches the session to the mode and model asked for; what the agent does not offer is a warning, not a failure. */
  async *#configure(modes: SessionModeState | null | undefined, configOptions: SessionConfigOption[] | null | undefined): AsyncGenerator<ExecutorEvent, Halt | undefined> {
    const sessionId = this.#sessionId as string;
    const { mode, model, agentName } = this.#plan;
    const options = configOptions ?? [];
    const asks: { what: string; method: string; params: Record<string, unknown> }[] = [];
    if (mode !== undefined) {
      const option = options.find((o) => o.category === 'mode' || o.id === 'mode');
      if (modes?.availableModes.some((m) => m.id === mode)) asks.push({ what: `mode ${mode}`, method: methods.agent.session.setMode, params: { sessionId, modeId: mode } });
      else if (option !== undefined) asks.push({ what: `mode ${mode}`, method: methods.agent.session.setConfigOption, params: { sessionId, configId: option.id, value: mode } });
      else {
        const offered = modes?.availableModes.map((m) => m.id).join(', ');
        yield { type: 'log', level: 'warn', text: `${agentName} offers no mode ${mode}${offered ? ` (it offers ${offered})` : ''}; the session keeps its own.` };
      }
    }
    if (model !== undefined) {
      const option = options.find((o) => o.category === 'model' || o.id === 'model');
      asks.push(
        option !== undefined
          ? { what: `model ${model}`, method: methods.agent.session.setConfigOption, params: { sessionId, configId: option.id, value: model } }
          : // Agents from before config options (gemini 0.6x) take the model with session/set_model.
            { what: `model ${model}`, method: 'session/set_model', params: { sessionId, modelId: model } },
      );
    }
    for (const ask of asks) {
      const answer = yield* this.#call<unknown>(ask.method, ask.params);
      if ('halt' in answer) return answer.halt;
      if ('error' in answer) yield { type: 'log', level: 'warn', text: `${agentName} did not switch to ${ask.what}: ${describeAgentError(answer.error)}` };
    }
    return undefined;
  }

  /** Sends a request and handles whatever arrives, yielding its events, until it is answered or the wait is cut short. */
  async *#call<T>(method: string, params: unknown): AsyncGenerator<ExecutorEvent, Waited<T>> {
    let settled: Settled<T> | undefined;
    if (method !== methods.agent.initialize) this.#agentSpoke();
    const call = ++this.#calls;
    // A macrotask later: the SDK dispatches notifications asynchronously, so updates the agent sent
    // before its answer are handled (and queued here) before the answer is; the answer is taken
    // only once everything queued before it was shown.
    const arrived = () => setImmediate(() => this.#push({ kind: 'settled', call }));
    this.#connection.agent.request<T>(method, params).then(
      (value) => {
        settled = { value };
        arrived();
      },
      (error: unknown) => {
        settled = { error: agentErrorOf(error) };
        arrived();
      },
    );
    for (;;) {
      const inbound = await this.#take();
      if (inbound.kind === 'settled') {
        if (inbound.call === call && settled !== undefined) return settled;
        continue;
      }
      if (inbound.kind === 'events') {
        if (!this.#draining) yield* inbound.events;
        continue;
      }
      if (inbound.kind === 'approval') {
        yield* this.#ask(inbound.request, inbound.answer);
        continue;
      }
      return { halt: inbound.kind };
    }
  }

  /** A permission request: the text so far is shown first, then the host asks; the answer goes back while the run goes on. */
  async *#ask(request: RequestPermissionRequest, answer: (response: RequestPermissionResponse) => void): AsyncGenerator<ExecutorEvent> {
    if (this.#draining) {
      answer({ outcome: { outcome: 'cancelled' } });
      return;
    }
    if (this.#sessionId === undefined) {
      this.#heldApprovals.push({ kind: 'approval', request, answer });
      return;
    }
    if (request.sessionId !== this.#sessionId) {
      answer({ outcome: { outcome: 'cancelled' } });
      yield* this.#updates.flush();
      yield { type: 'log', level: 'warn', text: `${this.#plan.agentName} asked for a permission in session ${request.sessionId}, not this run's; it was answered "cancelled".` };
      return;
    }
    yield* this.#updates.flush();
    this.#pendingApprovals += 1;
    clearTimeout(this.#idleTimer);
    const settle = (response: RequestPermissionResponse) => {
      this.#pendingApprovals -= 1;
      this.#agentSpoke();
      answer(response);
    };
    const approval = approvalRequestOf(request, this.#updates.kindOf(request.toolCall.toolCallId), this.#roots);
    this.#ctx.requestApproval(approval).then(
      (decision) => settle(permissionResponseOf(decision)),
      (error: unknown) => {
        this.#push({ kind: 'events', events: [{ type: 'log', level: 'error', text: `Forge could not ask for the approval of ${approval.tool} (${(error as Error).message}); the agent was answered "cancelled".` }] });
        settle({ outcome: { outcome: 'cancelled' } });
      },
    );
  }

  /** Events to show: held back behind what came before the session was known, until that is shown. */
  #show(events: ExecutorEvent[]): void {
    if (events.length === 0) return;
    if (!this.#earlyShown) this.#early.push({ events });
    else this.#push({ kind: 'events', events });
  }

  /** Serves one of the agent's requests, then counts it as a sign of life. */
  #served<T>(serve: () => T): T {
    try {
      return serve();
    } finally {
      this.#agentSpoke();
    }
  }

  /** How the agent ended, when it did within a second: why a connection closed. */
  async #exitNote(): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([this.#child.exited, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 1_000)))]);
    clearTimeout(timer);
    return exit === undefined ? '' : ` (it exited ${describeExit(exit)}${this.#stderrSaid()})`;
  }

  #otherLine(stream: 'stdout' | 'stderr', text: string): ExecutorEvent[] {
    this.#agentSpoke();
    // The host cuts a line at its limit: a message that long cannot be read, and a request in it never answered.
    if (stream === 'stdout' && text.length >= MAX_LINE_BYTES && text.trimStart().startsWith('{')) this.#push({ kind: 'message-too-large' });
    const clean = truncate(withoutTerminalEscapes(text).trim(), MAX_LOG_TEXT_LENGTH);
    if (clean === '') return [];
    if (stream === 'stdout') return [{ type: 'log', level: 'warn', stream, text: `${this.#plan.agentName} printed a line that is not an ACP message: ${clean}` }];
    this.#stderrTail.push(clean);
    if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
    return [{ type: 'log', level: 'info', stream, text: clean }];
  }

  /** The end of a wait cut short, as the run's end. */
  async *#halted(halt: Halt): AsyncGenerator<ExecutorEvent> {
    const { agentName } = this.#plan;
    switch (halt) {
      case 'stopped':
        // The agent hears session/cancel and has a moment to end its turn; then the host stops its processes.
        this.#draining = true;
        this.#cancelHeldApprovals();
        await this.#cancelTurn();
        await this.#turnEnded(STOP_GRACE_MS);
        this.#child.closeStdin();
        yield CANCELLED;
        return;
      case 'output-ended': {
        const exit = await this.#child.exited;
        yield { ...failed(`${agentName} exited ${describeExit(exit)} before the turn finished${this.#stderrSaid()}`), exitCode: exit.code };
        return;
      }
      case 'turn-timeout':
        await this.#cancelTurn();
        return yield* this.#finish(failed(`${agentName} did not finish within turnTimeoutMs (${this.#plan.turnTimeoutMs} ms), so it was stopped${this.#stderrSaid()}.`));
      case 'idle-timeout':
        await this.#cancelTurn();
        return yield* this.#finish(
          failed(
            `${agentName} sent nothing for idleTimeoutMs (${this.#plan.idleTimeoutMs} ms), so the turn was cancelled; an agent that cannot reach its model often retries without a word${this.#stderrSaid()}. Check its network and login, or raise idleTimeoutMs.`,
          ),
        );
      case 'message-too-large':
        await this.#cancelTurn();
        return yield* this.#finish(
          failed(`${agentName} sent a message longer than the ${MAX_LINE_BYTES / 1024 / 1024} MiB a line may hold (a large file written through the client, a huge tool output); it was cut, so it could not be read or answered, and the run was stopped.`),
        );
      case 'handshake-timeout':
        return yield* this.#finish(failed(`${agentName} did not answer initialize within ${HANDSHAKE_TIMEOUT_MS / 1000} s; check that its command starts it in ACP mode over stdio${this.#stderrSaid()}.`));
      default:
        return yield* this.#finish(failed(`${agentName} stopped answering.`));
    }
  }

  #failOn(what: string, error: AgentError): AsyncGenerator<ExecutorEvent> {
    const failure = failureOf(error);
    const hint = failure?.kind === 'auth' ? ` ${this.#plan.authHint}.` : '';
    const said = describeAgentError(error).replace(/[.!?]+$/, '');
    return this.#finish(failed(`${what}: ${said}.${hint}`, failure));
  }

  #stderrSaid(): string {
    return this.#stderrTail.length > 0 ? `; it said: ${this.#stderrTail.join(' / ')}` : '';
  }

  /** Ends the agent's input, reads what it still sends until it exits (or the grace runs out), then yields `done`. */
  async *#finish(done: DoneEvent): AsyncGenerator<ExecutorEvent> {
    const drained = yield* this.#drain();
    if (drained === 'stopped') {
      yield CANCELLED;
      return;
    }
    const exit = drained === 'output-ended' ? await this.#child.exited : undefined;
    yield exit === undefined || done.exitCode !== undefined ? done : { ...done, exitCode: exit.code };
  }

  /** Waits, at most `ms`, for the request in flight to be answered or the agent to end; what arrives meanwhile is dropped. */
  async #turnEnded(ms: number): Promise<void> {
    const timer = setTimeout(() => this.#push({ kind: 'grace-expired' }), ms);
    try {
      for (;;) {
        const inbound = await this.#take();
        if (inbound.kind === 'approval') inbound.answer({ outcome: { outcome: 'cancelled' } });
        if (inbound.kind === 'settled' || inbound.kind === 'output-ended' || inbound.kind === 'grace-expired') return;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the agent's input and waits for its output to end, at most the grace; returns what ended the wait. */
  async *#drain(): AsyncGenerator<ExecutorEvent, Halt> {
    this.#draining = true;
    this.#cancelHeldApprovals();
    clearTimeout(this.#idleTimer);
    this.#child.closeStdin();
    const grace = setTimeout(() => this.#push({ kind: 'grace-expired' }), GRACE_MS);
    try {
      for (;;) {
        const inbound = await this.#take();
        // What the agent still prints (its stderr as it exits) is shown; its session updates are not taken any more.
        if (inbound.kind === 'events') yield* inbound.events;
        if (inbound.kind === 'approval') inbound.answer({ outcome: { outcome: 'cancelled' } });
        if (inbound.kind === 'output-ended' || inbound.kind === 'grace-expired' || inbound.kind === 'stopped') return inbound.kind;
      }
    } finally {
      clearTimeout(grace);
    }
  }

  /** A run that ends before its session is known answers the permission requests it held "cancelled". */
  #cancelHeldApprovals(): void {
    for (const held of this.#heldApprovals.splice(0)) held.answer({ outcome: { outcome: 'cancelled' } });
  }

  /** Asks the agent to end the turn in flight (it answers the prompt with stop reason `cancelled`); settles once that is written. */
  async #cancelTurn(): Promise<void> {
    if (this.#sessionId === undefined) return;
    await this.#connection.agent.notify(methods.agent.session.cancel, { sessionId: this.#sessionId }).catch(() => undefined);
  }

  readonly #onStop = (): void => {
    this.#push({ kind: 'stopped' });
  };

  /**
   * Any sign of life from the agent restarts the silence bound. It does not run while an approval
   * is pending, nor while one of the agent's tools or terminals is running: a long test run is
   * silent work, not a hang (the turn bound still holds).
   */
  #agentSpoke(): void {
    clearTimeout(this.#idleTimer);
    if (this.#draining || this.#pendingApprovals > 0 || this.#plan.idleTimeoutMs === 0) return;
    if (this.#updates.toolsRunning || this.#terminals.running) return;
    this.#idleTimer = setTimeout(() => this.#push({ kind: 'idle-timeout' }), this.#plan.idleTimeoutMs);
  }

  #push(inbound: Inbound): void {
    if (inbound.kind === 'events') this.#backlog += 1;
    this.#mailbox.push(inbound);
  }

  async #take(): Promise<Inbound> {
    const inbound = await this.#mailbox.take();
    if (inbound.kind === 'events') {
      this.#backlog -= 1;
      if (this.#backlog < HIGH_WATER / 2) {
        this.#resumeReading?.();
        this.#resumeReading = undefined;
      }
    }
    return inbound;
  }

  /** Settles when the host has taken enough of what was read: the agent's output is read no faster than it is stored. */
  #readable(): Promise<void> | undefined {
    if (this.#backlog < HIGH_WATER) return undefined;
    return new Promise((resume) => (this.#resumeReading = resume));
  }
}

/** Runs an ACP agent for one run: spawned interactive in the worktree, ended with exactly one `done`. */
export async function* runAcpSession(plan: AcpRunPlan, ctx: RunContext): AsyncGenerator<ExecutorEvent> {
  if (ctx.signal.aborted) {
    yield CANCELLED;
    return;
  }
  const child = ctx.spawn(plan.command, plan.args, { env: plan.env, interactive: true });
  const run = new AcpRun(plan, ctx, child);
  try {
    yield* run.run();
  } finally {
    run.close();
  }
}

