// A small but real ACP agent, written with the ACP SDK's agent side, with no model behind it: the
// stand-in for gemini, qwen, copilot, opencode or any ACP agent in end-to-end tests. Each fake CLI
// parses its own command line and calls runFakeAcpAgent with what its real CLI advertises.
//
// One prompt turn: thinking and a streamed answer, a plan, a read of README.md through the client's
// fs/read_text_file, then an edit of FAKE_EDIT.md announced with its diff, asked for with
// session/request_permission (unless the session's mode is "yolo"), and written through the
// client's fs/write_text_file when allowed. Words in the prompt add steps:
//   "outside"  asks the client to read /etc/hostname and write ../outside.txt first (both must be refused)
//   "terminal" runs `echo from-terminal` in a client terminal and shows its output
//   "second"   asks for a second edit, FAKE_EDIT_2.md, after the first
//   "slow"     streams a chunk every 20 ms until session/cancel arrives, then answers stopReason "cancelled"
//   "silent tool" runs a tool that sends nothing for 600 ms before it completes
//   "silent terminal" runs `sleep 0.6` in a client terminal and waits for it
//   "chatty terminal" runs `yes` in a client terminal for two seconds, then kills it
//   "huge write" writes 1.5 MB through fs/write_text_file: one message longer than a line may be
//   "long title" announces a tool with a 400-character title and no kind, and asks permission for it
//   "long N"   sends N tool calls with their updates and N message chunks before the edit (for benchmarks)
// FAKE_AGENT_SCENARIO: success (default) | auth (session/new fails as the real CLI does when logged out)
//   | rate_limit (the prompt fails with a 429 text) | garbage (non-JSON lines among the messages)
//   | hang (the prompt is never answered, stdin EOF ignored) | hang_init (initialize is never answered)
//   | early (before answering session/new: an update for its new session, one for another session,
//     and a permission request for the other session).
// FAKE_AGENT_RECORD names a file to which each process appends one JSON line when it ends its first
// session request: argv, cwd, the MCP servers it was given, how the session was opened, the
// session id (and `resumed`, the same id for a loaded or resumed one, null for a new one), the mode,
// and the prompts.
// Sessions persist under $HOME/.fake-acp-agent/<session>.json so a later process can load them.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk/unstable';

const SCENARIOS = ['success', 'auth', 'rate_limit', 'garbage', 'hang', 'hang_init', 'early'];
const EDITED_FILE = 'FAKE_EDIT.md';
const SECOND_FILE = 'FAKE_EDIT_2.md';
const PERMISSION_OPTIONS = [
  { optionId: 'allow-once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'allow-always', name: 'Always allow', kind: 'allow_always' },
  { optionId: 'reject-once', name: 'Reject', kind: 'reject_once' },
  { optionId: 'reject-always', name: 'Always reject', kind: 'reject_always' },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the agent on stdio until stdin closes.
 * profile: { name, version, loadSession = true, resumeSession = false, authMethods = [],
 *   authError = { code: -32000, message: 'Authentication required' }, modes = ['default', 'yolo'] }
 */
export function runFakeAcpAgent(profile) {
  const scenario = process.env.FAKE_AGENT_SCENARIO || 'success';
  if (!SCENARIOS.includes(scenario)) {
    process.stderr.write(`FAKE_AGENT_SCENARIO must be one of ${SCENARIOS.join(', ')}, not ${scenario}\n`);
    process.exit(2);
  }
  const {
    name,
    version,
    loadSession = true,
    resumeSession = false,
    authMethods = [],
    authError = { code: -32000, message: 'Authentication required' },
    modes = ['default', 'yolo'],
  } = profile;
  const home = path.join(process.env.HOME || os.tmpdir(), '.fake-acp-agent');
  const sessions = new Map();
  const record = { argv: process.argv.slice(2), cwd: process.cwd(), mcp: null, opened: null, sessionId: null, resumed: null, mode: null, prompts: [] };
  let clientCapabilities = {};
  let recorded = false;

  const store = (session) => {
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, `${session.id}.json`), JSON.stringify(session));
  };
  const stored = (id) => {
    const file = path.join(home, `${id}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  };
  const writeRecord = () => {
    if (recorded || !process.env.FAKE_AGENT_RECORD) return;
    recorded = true;
    appendFileSync(process.env.FAKE_AGENT_RECORD, `${JSON.stringify(record)}\n`);
  };
  const open = (session, how, mcpServers) => {
    sessions.set(session.id, { ...session, cancelled: false });
    Object.assign(record, { mcp: mcpServers, opened: how, sessionId: session.id, resumed: how === 'new' ? null : session.id, mode: session.mode });
  };
  const garbage = (text) => {
    if (scenario === 'garbage') process.stdout.write(`${text}\n`);
  };

  const stream = acp.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin));
  const app = acp
    .agent({ name })
    .onRequest(acp.methods.agent.initialize, ({ params }) => {
      if (scenario === 'hang_init') {
        setInterval(() => undefined, 60_000);
        return new Promise(() => undefined);
      }
      clientCapabilities = params.clientCapabilities ?? {};
      garbage(`${name} ${version} starting`);
      return {
        protocolVersion: acp.PROTOCOL_VERSION,
        agentCapabilities: {
          loadSession,
          promptCapabilities: { image: true, embeddedContext: true },
          mcpCapabilities: { http: true, sse: true },
          ...(resumeSession ? { sessionCapabilities: { resume: {} } } : {}),
        },
        agentInfo: { name, title: name, version },
        authMethods,
      };
    })
    .onRequest(acp.methods.agent.session.new, async ({ params, client }) => {
      if (scenario === 'auth') {
        writeRecord();
        throw new acp.RequestError(authError.code, authError.message, authError.data);
      }
      const session = { id: randomUUID(), cwd: params.cwd, mode: modes[0], history: [] };
      open(session, 'new', params.mcpServers);
      store(session);
      if (scenario === 'early') {
        await client.notify(acp.methods.client.session.update, { sessionId: 'other-session', update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'NOT-MINE ' } } });
        await client.notify(acp.methods.client.session.update, { sessionId: session.id, update: { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'EARLY-MINE' } } });
        void client.request(acp.methods.client.session.requestPermission, { sessionId: 'other-session', toolCall: { toolCallId: 'other-1', title: 'Other' }, options: PERMISSION_OPTIONS }).catch(() => undefined);
        // Once the answer is out, while the client may still be showing what came before it.
        setTimeout(() => void client.notify(acp.methods.client.session.update, { sessionId: session.id, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'LATE-MINE ' } } }), 50);
      }
      return { sessionId: session.id, modes: { currentModeId: session.mode, availableModes: modes.map((id) => ({ id, name: id })) } };
    })
    .onRequest(acp.methods.agent.session.load, async ({ params, client }) => {
      const session = stored(params.sessionId);
      if (!session) throw acp.RequestError.sessionNotFound(params.sessionId);
      open(session, 'load', params.mcpServers);
      for (const turn of session.history) {
        await client.notify(acp.methods.client.session.update, { sessionId: session.id, update: { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: turn.prompt } } });
        await client.notify(acp.methods.client.session.update, { sessionId: session.id, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: turn.answer } } });
      }
      return { modes: { currentModeId: session.mode, availableModes: modes.map((id) => ({ id, name: id })) } };
    })
    .onRequest(acp.methods.agent.session.resume, ({ params }) => {
      if (!resumeSession) throw acp.RequestError.methodNotFound('session/resume');
      const session = stored(params.sessionId);
      if (!session) throw acp.RequestError.sessionNotFound(params.sessionId);
      open(session, 'resume', params.mcpServers);
      return {};
    })
    .onRequest(acp.methods.agent.session.setMode, ({ params }) => {
      const session = sessions.get(params.sessionId);
      if (!session) throw acp.RequestError.sessionNotFound(params.sessionId);
      if (!modes.includes(params.modeId)) throw acp.RequestError.invalidParams({ modeId: params.modeId }, `no mode ${params.modeId}`);
      session.mode = params.modeId;
      record.mode = params.modeId;
      return {};
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      const session = sessions.get(params.sessionId);
      if (session) session.cancelled = true;
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client }) => {
      const session = sessions.get(params.sessionId);
      if (!session) throw acp.RequestError.sessionNotFound(params.sessionId);
      const prompt = params.prompt.map((block) => (block.type === 'text' ? block.text : '')).join('');
      record.prompts.push(prompt);
      writeRecord();
      if (scenario === 'hang') {
        // Like gemini with a turn in flight: it neither answers nor exits when its input closes.
        setInterval(() => undefined, 60_000);
        return new Promise(() => undefined);
      }
      if (scenario === 'rate_limit') throw acp.RequestError.internalError({ details: '429 Too Many Requests: rate limit exceeded for this model, retry in 4s' });
      const turn = new Turn(session, client, clientCapabilities, garbage);
      const stopReason = await turn.run(prompt);
      session.history.push({ prompt, answer: turn.answer });
      store(session);
      return { stopReason, usage: { inputTokens: 1200 + prompt.length, outputTokens: 340, totalTokens: 1540 + prompt.length, cachedReadTokens: 800 } };
    });
  const connection = app.connect(stream);
  connection.closed.then(() => {
    writeRecord();
    // "hang": like the real agents that ignore EOF while a turn is in flight.
    if (scenario !== 'hang') process.exit(0);
  });
}

/** One prompt turn against the client. */
class Turn {
  answer = '';
  #session;
  #client;
  #fs;
  #garbage;
  #calls = 0;

  constructor(session, client, capabilities, garbage) {
    this.#session = session;
    this.#client = client;
    this.#fs = capabilities.fs ?? {};
    this.#garbage = garbage;
  }

  async run(prompt) {
    await this.#update({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'Reading the request, ' } });
    await this.#update({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'then editing one file.' } });
    this.#garbage('Loaded cached credentials.');
    await this.#update({ sessionUpdate: 'plan', entries: [{ content: 'Read README.md', priority: 'medium', status: 'in_progress' }, { content: `Write ${EDITED_FILE}`, priority: 'high', status: 'pending' }] });
    if (/\bslow\b/.test(prompt)) return this.#slow();
    const long = /\blong (\d+)/.exec(prompt);
    if (long) await this.#long(Number(long[1]));
    if (/\boutside\b/.test(prompt)) await this.#outside();
    if (/\bsilent tool\b/.test(prompt)) await this.#slowTool();
    if (/\bsilent terminal\b/.test(prompt)) await this.#silentTerminal();
    if (/\bchatty terminal\b/.test(prompt)) await this.#chattyTerminal();
    if (/\bhuge write\b/.test(prompt)) await this.#client.request(acp.methods.client.fs.writeTextFile, { sessionId: this.#session.id, path: path.join(this.#session.cwd, 'huge.txt'), content: 'x'.repeat(1_500_000) });
    if (/\blong title\b/.test(prompt)) await this.#longTitle();
    await this.#readme();
    if (/\bterminal\b/.test(prompt)) await this.#terminal();
    const edited = [await this.#edit(EDITED_FILE, `# Edited by the fake ACP agent\n\n${prompt}\n`)];
    if (/\bsecond\b/.test(prompt)) edited.push(await this.#edit(SECOND_FILE, 'A second edit.\n'));
    if (this.#session.cancelled) return 'cancelled';
    const done = edited.filter(Boolean);
    await this.#say(done.length > 0 ? `I wrote ${done.join(' and ')}.` : 'I did not edit anything: the edit was refused.', 3);
    return 'end_turn';
  }

  async #update(update) {
    await this.#client.notify(acp.methods.client.session.update, { sessionId: this.#session.id, update });
  }

  /** The answer in `pieces` chunks, as a model streams it. */
  async #say(text, pieces) {
    this.answer = text;
    const size = Math.ceil(text.length / pieces);
    for (let at = 0; at < text.length; at += size) await this.#update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: text.slice(at, at + size) } });
  }

  #nextCall() {
    this.#calls += 1;
    return `call-${this.#calls}`;
  }

  async #readme() {
    const toolCallId = this.#nextCall();
    const file = path.join(this.#session.cwd, 'README.md');
    await this.#update({ sessionUpdate: 'tool_call', toolCallId, title: 'Read README.md', kind: 'read', status: 'in_progress', locations: [{ path: file }], rawInput: { path: file } });
    let text;
    let failed = false;
    if (this.#fs.readTextFile) {
      try {
        ({ content: text } = await this.#client.request(acp.methods.client.fs.readTextFile, { sessionId: this.#session.id, path: file, line: 1, limit: 5 }));
      } catch (error) {
        text = error.message;
        failed = true;
      }
    } else {
      text = existsSync(file) ? readFileSync(file, 'utf8') : 'no README.md';
    }
    await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: failed ? 'failed' : 'completed', content: [{ type: 'content', content: { type: 'text', text } }] });
  }

  async #outside() {
    for (const [method, params] of [
      [acp.methods.client.fs.readTextFile, { sessionId: this.#session.id, path: '/etc/hostname' }],
      [acp.methods.client.fs.writeTextFile, { sessionId: this.#session.id, path: path.join(this.#session.cwd, '..', 'outside.txt'), content: 'escaped\n' }],
    ]) {
      try {
        await this.#client.request(method, params);
        await this.#say(`${method} outside the worktree was allowed.`, 1);
      } catch (error) {
        await this.#update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `${method} was refused: ${error.message}\n` } });
      }
    }
  }

  async #terminal() {
    const toolCallId = this.#nextCall();
    const { terminalId } = await this.#client.request(acp.methods.client.terminal.create, { sessionId: this.#session.id, command: 'echo', args: ['from-terminal'] });
    await this.#update({ sessionUpdate: 'tool_call', toolCallId, title: 'echo from-terminal', kind: 'execute', status: 'in_progress', content: [{ type: 'terminal', terminalId }], rawInput: { command: 'echo from-terminal' } });
    const exit = await this.#client.request(acp.methods.client.terminal.waitForExit, { sessionId: this.#session.id, terminalId });
    const { output } = await this.#client.request(acp.methods.client.terminal.output, { sessionId: this.#session.id, terminalId });
    await this.#client.request(acp.methods.client.terminal.release, { sessionId: this.#session.id, terminalId });
    await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: exit.exitCode === 0 ? 'completed' : 'failed', content: [{ type: 'content', content: { type: 'text', text: output } }] });
  }

  /** Announces an edit with its diff, asks for permission unless the mode is yolo, writes through the client when allowed. */
  async #edit(name, text) {
    const toolCallId = this.#nextCall();
    const file = path.join(this.#session.cwd, name);
    const oldText = existsSync(file) ? readFileSync(file, 'utf8') : null;
    const diff = { type: 'diff', path: file, oldText, newText: text };
    await this.#update({ sessionUpdate: 'tool_call', toolCallId, title: `Write ${name}`, kind: 'edit', status: 'pending', locations: [{ path: file }], content: [diff], rawInput: { file_path: file, content: text } });
    if (this.#session.mode !== 'yolo') {
      const answer = await this.#client.request(acp.methods.client.session.requestPermission, {
        sessionId: this.#session.id,
        toolCall: { toolCallId, title: `Write ${name}`, kind: 'edit', status: 'pending', locations: [{ path: file }], content: [diff] },
        options: PERMISSION_OPTIONS,
      });
      const allowed = answer.outcome.outcome === 'selected' && answer.outcome.optionId.startsWith('allow');
      if (!allowed) {
        await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed', content: [{ type: 'content', content: { type: 'text', text: 'The user refused this edit.' } }] });
        return undefined;
      }
    }
    if (this.#fs.writeTextFile) await this.#client.request(acp.methods.client.fs.writeTextFile, { sessionId: this.#session.id, path: file, content: text });
    else writeFileSync(file, text);
    await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [diff] });
    return name;
  }

  async #long(count) {
    for (let index = 0; index < count; index += 1) {
      const toolCallId = this.#nextCall();
      await this.#update({ sessionUpdate: 'tool_call', toolCallId, title: `grep step ${index}`, kind: 'search', status: 'in_progress', rawInput: { pattern: `step ${index}` } });
      await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [{ type: 'content', content: { type: 'text', text: `match ${index}` } }] });
      await this.#update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `Step ${index} done. ` } });
    }
  }

  /** A tool that works silently for 600 ms, as a long test run does. */
  async #slowTool() {
    const toolCallId = this.#nextCall();
    await this.#update({ sessionUpdate: 'tool_call', toolCallId, title: 'npm test', kind: 'execute', status: 'in_progress', rawInput: { command: 'npm test' } });
    await sleep(600);
    await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [{ type: 'content', content: { type: 'text', text: 'slow tool done' } }] });
  }

  async #silentTerminal() {
    const { terminalId } = await this.#client.request(acp.methods.client.terminal.create, { sessionId: this.#session.id, command: 'sleep', args: ['0.6'] });
    await this.#client.request(acp.methods.client.terminal.waitForExit, { sessionId: this.#session.id, terminalId });
    await this.#client.request(acp.methods.client.terminal.release, { sessionId: this.#session.id, terminalId });
  }

  /** `yes` in a client terminal for two seconds: a command that prints without pause. */
  async #chattyTerminal() {
    const { terminalId } = await this.#client.request(acp.methods.client.terminal.create, { sessionId: this.#session.id, command: 'yes', args: Array(50).fill('y') });
    await sleep(2_000);
    await this.#client.request(acp.methods.client.terminal.kill, { sessionId: this.#session.id, terminalId });
    await this.#client.request(acp.methods.client.terminal.waitForExit, { sessionId: this.#session.id, terminalId });
    const { output, truncated } = await this.#client.request(acp.methods.client.terminal.output, { sessionId: this.#session.id, terminalId });
    await this.#client.request(acp.methods.client.terminal.release, { sessionId: this.#session.id, terminalId });
    await this.#update({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: `chatty output: ${Buffer.byteLength(output)} bytes, truncated ${truncated}` } });
  }

  async #longTitle() {
    const toolCallId = this.#nextCall();
    const title = `Run ${'x'.repeat(400)}`;
    await this.#update({ sessionUpdate: 'tool_call', toolCallId, title, status: 'pending' });
    await this.#client.request(acp.methods.client.session.requestPermission, { sessionId: this.#session.id, toolCall: { toolCallId, title }, options: PERMISSION_OPTIONS });
    await this.#update({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed' });
  }

  async #slow() {
    for (let index = 0; !this.#session.cancelled; index += 1) {
      await this.#update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `Working, part ${index}. ` } });
      await sleep(20);
    }
    // Noted, so a test can tell the agent heard session/cancel before it was stopped.
    if (process.env.FAKE_AGENT_RECORD) appendFileSync(process.env.FAKE_AGENT_RECORD, `${JSON.stringify({ argv: process.argv.slice(2), turnCancelled: this.#session.id })}\n`);
    return 'cancelled';
  }
}
