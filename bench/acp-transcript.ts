import { prng } from './fixtures.ts';

/** Steps of the long session: 100,013 lines, about as many as the codex session's 100,000. */
export const ACP_TRANSCRIPT_STEPS = 13_700;

// What the recorded session reports about itself, in the shapes of the acp pack's transcripts
// (goose 1.19.0): paths under the recorded worktree, one session, one prompt.
const RECORDED_CWD = '/home/dev/project';
const SESSION_ID = 'sess_01JD7Q2ZK4M8N6P3R5T7V9X1Y2';
// Every so many steps the agent edits a file and updates its plan.
const EDIT_EVERY = 10;
const WORDS = (
  'the a module test function value returns call file type error check path update result ' +
  'handler request cart price order user session config import export async await string number ' +
  'fix change read first then next because so it this should now also keep instead'
).split(' ');
const COMMANDS = ['npm test', 'npx tsc --noEmit -p tsconfig.json', 'git status --short', 'git diff --stat', 'npm run lint', 'ls src/cart'];
const DIRS = ['cart', 'orders', 'users', 'pricing', 'api', 'shared'];
const FILES = ['index', 'model', 'service', 'routes', 'format'];

type Json = Record<string, unknown>;

/** Words, sentences and paths from one seeded generator, so every run replays the same bytes. */
class AcpContent {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = prng(seed);
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  pick<T>(items: readonly T[]): T {
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

  sourcePath(): string {
    return `${RECORDED_CWD}/src/${this.pick(DIRS)}/${this.pick(FILES)}.ts`;
  }

  outputLines(): string {
    return Array.from({ length: this.between(1, 6) }, () => `${this.words(this.between(3, 10))}\n`).join('');
  }
}

/** The agent's side of one ACP session over stdio: JSON-RPC 2.0 lines, its updates as `session/update` notifications. */
class AcpRecording {
  readonly lines: string[] = [];
  private toolCalls = 0;

  respond(id: number, result: Json): void {
    this.lines.push(JSON.stringify({ jsonrpc: '2.0', id, result }));
  }

  update(update: Json): void {
    this.lines.push(JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: SESSION_ID, update } }));
  }

  chunk(sessionUpdate: 'agent_thought_chunk' | 'agent_message_chunk', text: string): void {
    this.update({ sessionUpdate, content: { type: 'text', text } });
  }

  /** A fresh tool call id in the agent's style. */
  toolCallId(): string {
    this.toolCalls += 1;
    return `toolu_${this.toolCalls.toString().padStart(2, '0')}`;
  }
}

/** A read, a search or a command, answered with text. */
function toolCall(session: AcpRecording, content: AcpContent): void {
  const toolCallId = session.toolCallId();
  const roll = content.between(0, 2);
  const path = content.sourcePath();
  const pattern = content.pick(WORDS);
  const command = content.pick(COMMANDS);
  const call =
    roll === 0
      ? { title: `Read ${path.slice(RECORDED_CWD.length + 1)}`, kind: 'read', locations: [{ path }], rawInput: { path } }
      : roll === 1
        ? { title: `Search for ${pattern}`, kind: 'search', rawInput: { pattern, path: `${RECORDED_CWD}/src` } }
        : { title: `Run ${command}`, kind: 'execute', rawInput: { command, cwd: RECORDED_CWD } };
  session.update({ sessionUpdate: 'tool_call', toolCallId, status: 'in_progress', ...call });
  session.update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [{ type: 'content', content: { type: 'text', text: content.outputLines() } }] });
}

/** A file written, its diff in the call and in its completion (a new file now and then). */
function editCall(session: AcpRecording, content: AcpContent): void {
  const toolCallId = session.toolCallId();
  const path = content.sourcePath();
  const oldText = content.chance(0.2) ? null : `${content.words(6)}\n`;
  const newText = `${content.words(6)}\n${content.words(8)}\n`;
  const diff = [{ type: 'diff', path, oldText, newText }];
  session.update({
    sessionUpdate: 'tool_call', toolCallId, title: `Write ${path.slice(RECORDED_CWD.length + 1)}`, kind: 'edit', status: 'pending',
    locations: [{ path }], content: diff, rawInput: { path, content: newText },
  });
  session.update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: diff });
}

function planUpdate(session: AcpRecording, content: AcpContent): void {
  const steps = content.between(2, 6);
  const done = content.between(0, steps);
  const entries = Array.from({ length: steps }, (_, i) => ({
    content: content.sentence(),
    priority: content.pick(['high', 'medium', 'low']),
    status: i < done ? 'completed' : i === done ? 'in_progress' : 'pending',
  }));
  session.update({ sessionUpdate: 'plan', entries });
}

/**
 * A long ACP session as an agent prints it to a client that never needs to be asked (no
 * permission requests: the session measures throughput): the answers to initialize (id 0) and
 * session/new (id 1), then for each of `steps` steps two thought chunks, three message chunks
 * and a tool call with its completion, every tenth step also an edit with its diff and a plan
 * update, then the answer to session/prompt (id 2) with its usage. Deterministic.
 */
export function acpTranscript(steps = ACP_TRANSCRIPT_STEPS): string[] {
  const content = new AcpContent(12);
  const session = new AcpRecording();
  session.respond(0, {
    protocolVersion: 1,
    agentCapabilities: { loadSession: true, promptCapabilities: { image: true, audio: false, embeddedContext: true }, mcpCapabilities: { http: true, sse: false } },
    agentInfo: { name: 'goose', title: 'goose', version: '1.19.0' },
    authMethods: [],
  });
  session.respond(1, { sessionId: SESSION_ID });
  for (let step = 1; step <= steps; step++) {
    session.chunk('agent_thought_chunk', `${content.sentence()} `);
    session.chunk('agent_thought_chunk', content.sentence());
    for (let i = 0; i < 3; i++) session.chunk('agent_message_chunk', `${content.sentence()} `);
    toolCall(session, content);
    if (step % EDIT_EVERY === 0) {
      editCall(session, content);
      planUpdate(session, content);
    }
  }
  const inputTokens = content.between(400_000, 900_000);
  const outputTokens = content.between(20_000, 60_000);
  session.respond(2, { stopReason: 'end_turn', usage: { totalTokens: inputTokens + outputTokens, inputTokens, outputTokens, cachedReadTokens: Math.floor(inputTokens * 0.8) } });
  return session.lines;
}
