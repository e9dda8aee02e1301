import { prng } from './fixtures.ts';

export const CODEX_TRANSCRIPT_LINES = 100_000;

// What the recorded session reports about itself, in the shapes of the codex pack's transcripts
// (codex-cli 0.171.0): paths under the recorded worktree, one thread, one turn.
const RECORDED_CWD = '/home/dev/project';
const THREAD_ID = '01a23d2e-880e-7e32-b39f-11e48146c7c6';
const TURN_ID = '01a23d2e-8870-7c01-a165-11637d82dbc4';
const MODEL = 'gpt-6.2-sol';
const STARTED_AT_MS = 1_796_322_789_000;
const CONTEXT_WINDOW = 272_000;
// A step is at most a reasoning item, a message and a tool item with their deltas, plus the usage line.
const MAX_STEP_LINES = 20;
// What follows the last step: the final message (started, its deltas, completed), usage, turn/completed, idle.
const FINAL_LINES_BESIDES_DELTAS = 5;
const WORDS = (
  'the a module test function value returns call file type error check path update result ' +
  'handler request cart price order user session config import export async await string number ' +
  'fix change read first then next because so it this should now also keep instead'
).split(' ');
const COMMANDS = ['npm test', 'npx tsc --noEmit -p tsconfig.json', 'git status --short', 'git diff --stat', 'npm run lint', 'rg -n "price" src', 'ls src/cart'];
const DIRS = ['cart', 'orders', 'users', 'pricing', 'api', 'shared'];

type Json = Record<string, unknown>;

export interface TokenCounts {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
}

/**
 * One `codex app-server` session as it prints it: the answers to the executor's requests in the
 * order the codex pack sends them (1 initialize, 2 account/read, 3 thread/start, 4 turn/start),
 * then the turn's notifications and codex's own requests, then turn/completed. Responses are
 * `{"id","result"}`, notifications carry `emittedAtMs`, codex numbers its requests from 0.
 */
export class CodexRecording {
  readonly lines: string[] = [];
  private clockMs = STARTED_AT_MS;
  private nextRequestId = 0;
  private readonly total = { totalTokens: 0, inputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0 };

  constructor(approvalPolicy: string, prompt: string) {
    const createdAt = Math.floor(STARTED_AT_MS / 1000);
    const thread = {
      id: THREAD_ID, sessionId: THREAD_ID, preview: '', ephemeral: false, modelProvider: 'openai', model: MODEL, reasoningEffort: null,
      createdAt, updatedAt: createdAt, status: { type: 'idle' }, path: `/home/dev/.codex/sessions/rollout-${THREAD_ID}.jsonl`, cwd: RECORDED_CWD,
      cliVersion: '0.171.0', originator: 'forge-core', source: 'vscode', gitInfo: null, name: null, turns: [],
    };
    const turn = (status: string) => ({ id: TURN_ID, rootTurnId: TURN_ID, items: [], itemsView: 'notLoaded', status, error: null, startedAt: null, completedAt: null, durationMs: null });
    this.respond(1, { userAgent: 'forge-core/0.171.0 (Debian 12.0.0; x86_64) unknown (forge-core; 0.1.0)', codexHome: '/home/dev/.codex', platformFamily: 'unix', platformOs: 'linux' });
    this.respond(2, { account: { type: 'chatgpt', email: 'dev@example.com', planType: 'plus' }, userId: null, requiresOpenaiAuth: true, workspaceRouting: null });
    this.respond(3, {
      thread, model: MODEL, modelProvider: 'openai', serviceTier: null, cwd: RECORDED_CWD, approvalPolicy, approvalsReviewer: 'user',
      sandbox: { type: 'workspaceWrite', writableRoots: [RECORDED_CWD], networkAccess: false }, reasoningEffort: null,
    });
    this.notify('thread/started', { thread });
    this.respond(4, { turn: turn('inProgress') });
    this.notify('thread/status/changed', { threadId: THREAD_ID, status: { type: 'active', activeFlags: [] } });
    this.notify('turn/started', { threadId: THREAD_ID, turn: { ...turn('inProgress'), startedAt: createdAt } });
    const userMessage = { type: 'userMessage', id: `user-${TURN_ID.slice(-12)}`, clientId: null, content: [{ type: 'text', text: prompt, text_elements: [] }] };
    this.itemStarted(userMessage);
    this.itemCompleted(userMessage);
  }

  private print(message: Json): void {
    this.lines.push(JSON.stringify(message));
  }

  private respond(id: number, result: Json): void {
    this.print({ id, result });
  }

  notify(method: string, params: Json): void {
    this.clockMs += 37;
    this.print({ method, params, emittedAtMs: this.clockMs });
  }

  /** A request of codex's own (an approval); the replay holds what follows until it is answered. */
  request(method: string, params: Json): number {
    const id = this.nextRequestId++;
    this.print({ id, method, params: { threadId: THREAD_ID, turnId: TURN_ID, startedAtMs: this.clockMs, ...params } });
    return id;
  }

  /** Codex's note that its request was answered. */
  resolved(requestId: number): void {
    this.notify('serverRequest/resolved', { threadId: THREAD_ID, requestId });
  }

  itemStarted(item: Json): void {
    this.notify('item/started', { item, threadId: THREAD_ID, turnId: TURN_ID, startedAtMs: this.clockMs });
  }

  itemCompleted(item: Json): void {
    this.notify('item/completed', { item, threadId: THREAD_ID, turnId: TURN_ID, completedAtMs: this.clockMs });
  }

  /** An item's streamed text (`item/agentMessage/delta`, `item/commandExecution/outputDelta`, …). */
  delta(method: string, itemId: string, delta: string, extra: Json = {}): void {
    this.notify(method, { threadId: THREAD_ID, turnId: TURN_ID, itemId, delta, ...extra });
  }

  /** One model request's tokens: `last`, and the thread's running `total`. */
  tokenUsage(last: TokenCounts): void {
    const request = { totalTokens: last.inputTokens + last.outputTokens, cacheWriteInputTokens: 0, ...last };
    for (const key of Object.keys(this.total) as (keyof typeof this.total)[]) this.total[key] += request[key];
    this.notify('thread/tokenUsage/updated', { threadId: THREAD_ID, turnId: TURN_ID, tokenUsage: { total: { ...this.total }, last: request, modelContextWindow: CONTEXT_WINDOW } });
  }

  completeTurn(): void {
    const startedAt = Math.floor(STARTED_AT_MS / 1000);
    const completedAt = Math.floor(this.clockMs / 1000);
    const turn = { id: TURN_ID, rootTurnId: TURN_ID, items: [], itemsView: 'notLoaded', status: 'completed', error: null, startedAt, completedAt, durationMs: this.clockMs - STARTED_AT_MS };
    this.notify('turn/completed', { threadId: THREAD_ID, turn });
    this.notify('thread/status/changed', { threadId: THREAD_ID, status: { type: 'idle' } });
  }
}

/** Words, sentences, ids and outputs from one seeded generator, so every run replays the same bytes. */
export class CodexContent {
  readonly random: () => number;
  private items = 0;

  constructor(seed: number) {
    this.random = prng(seed);
  }

  pick<T>(items: ArrayLike<T>): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  between(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  words(count: number): string {
    return Array.from({ length: count }, () => this.pick(WORDS)).join(' ');
  }

  sentence(): string {
    return `${this.words(this.between(6, 18))}.`.replace(/^./, (c) => c.toUpperCase());
  }

  /** A fresh item id with codex's prefix (`call_`, `rs_`, `msg_`). */
  itemId(prefix: string): string {
    this.items += 1;
    return `${prefix}${this.items.toString(36)}${Array.from({ length: 4 }, () => this.pick('abcdefghijklmnopqrstuvwxyz0123456789')).join('')}`;
  }

  /** A commandExecution item for one shell command, still running. */
  command(): Json {
    const command = this.pick(COMMANDS);
    return {
      type: 'commandExecution', id: this.itemId('call_'), command: `/bin/bash -lc '${command}'`, cwd: RECORDED_CWD, processId: null, source: 'agent',
      status: 'inProgress', commandActions: [{ type: 'unknown', command }], aggregatedOutput: null, exitCode: null, durationMs: null,
    };
  }

  outputLines(): string[] {
    return Array.from({ length: this.between(1, 6) }, () => `${this.words(this.between(3, 10))}\n`);
  }

  sourcePath(): string {
    return `${RECORDED_CWD}/src/${this.pick(DIRS)}/${this.pick(['index', 'model', 'service', 'routes', 'format'])}.ts`;
  }

  usage(): TokenCounts {
    const inputTokens = this.between(4_000, 60_000);
    return { inputTokens, cachedInputTokens: Math.floor(inputTokens * 0.8), outputTokens: this.between(20, 600), reasoningOutputTokens: this.between(0, 200) };
  }
}

/** A reasoning item, summary streamed as deltas. */
function reasoning(session: CodexRecording, content: CodexContent): void {
  const id = content.itemId('rs_');
  const parts = Array.from({ length: content.between(1, 3) }, () => content.sentence());
  session.itemStarted({ type: 'reasoning', id, summary: [], content: [] });
  for (const part of parts) session.delta('item/reasoning/summaryTextDelta', id, part, { summaryIndex: 0 });
  session.itemCompleted({ type: 'reasoning', id, summary: [parts.join(' ')], content: [] });
}

/** An agent message streamed in `deltas` pieces. */
function agentMessage(session: CodexRecording, content: CodexContent, deltas: number): string {
  const id = content.itemId('msg_');
  const parts = Array.from({ length: deltas }, () => `${content.sentence()} `);
  const text = parts.join('').trimEnd();
  session.itemStarted({ type: 'agentMessage', id, text: '', phase: null, memoryCitation: null });
  for (const part of parts) session.delta('item/agentMessage/delta', id, part);
  session.itemCompleted({ type: 'agentMessage', id, text, phase: null, memoryCitation: null });
  return text;
}

function commandExecution(session: CodexRecording, content: CodexContent): void {
  const item = content.command();
  const output = content.outputLines();
  const failed = content.random() < 0.15;
  session.itemStarted(item);
  for (const piece of output) session.delta('item/commandExecution/outputDelta', String(item['id']), piece);
  session.itemCompleted({ ...item, status: failed ? 'failed' : 'completed', aggregatedOutput: output.join(''), exitCode: failed ? 1 : 0, durationMs: content.between(40, 9_000) });
}

function fileChange(session: CodexRecording, content: CodexContent): void {
  const path = content.sourcePath();
  const added = content.random() < 0.2;
  const diff = `@@ -${content.between(1, 90)},1 +${content.between(1, 90)},2 @@\n-${content.words(6)}\n+${content.words(6)}\n+${content.words(8)}\n`;
  const item = { type: 'fileChange', id: content.itemId('call_'), changes: [{ path, kind: added ? { type: 'add' } : { type: 'update', move_path: null }, diff }], status: 'inProgress' };
  session.itemStarted(item);
  session.delta('item/fileChange/outputDelta', item.id, `Success. Updated the following files:\n${added ? 'A' : 'M'} ${path}\n`);
  session.itemCompleted({ ...item, status: 'completed' });
  session.notify('turn/diff/updated', { threadId: THREAD_ID, turnId: TURN_ID, diff: `diff --git a${path} b${path}\n${diff}` });
}

function planUpdate(session: CodexRecording, content: CodexContent): void {
  const steps = content.between(2, 6);
  const done = content.between(0, steps);
  const plan = Array.from({ length: steps }, (_, i) => ({ step: content.sentence(), status: i < done ? 'completed' : i === done ? 'inProgress' : 'pending' }));
  session.notify('turn/plan/updated', { threadId: THREAD_ID, turnId: TURN_ID, explanation: null, plan });
}

/**
 * A long `codex app-server` session with `approvalPolicy: never`: steps of reasoning, a message
 * now and then, a command, a patch or a plan update, each model request closed by its token
 * usage; then the final message and turn/completed. Exactly `lineCount` lines, deterministic.
 */
export function codexTranscript(lineCount = CODEX_TRANSCRIPT_LINES): string[] {
  const content = new CodexContent(11);
  const session = new CodexRecording('never', 'Work through the cart module and leave it tested.');
  while (session.lines.length + MAX_STEP_LINES + FINAL_LINES_BESIDES_DELTAS < lineCount) {
    if (content.random() < 0.6) reasoning(session, content);
    if (content.random() < 0.4) agentMessage(session, content, content.between(1, 4));
    const roll = content.random();
    if (roll < 0.55) commandExecution(session, content);
    else if (roll < 0.9) fileChange(session, content);
    else planUpdate(session, content);
    session.tokenUsage(content.usage());
  }
  agentMessage(session, content, lineCount - session.lines.length - FINAL_LINES_BESIDES_DELTAS);
  session.tokenUsage(content.usage());
  session.completeTurn();
  return session.lines;
}
