#!/usr/bin/env node
// A stand-in for the `claude` CLI in headless mode (`claude -p --output-format stream-json --verbose`).
// It prints the messages Claude Code prints, one JSON object a line, and really edits files in its
// cwd, so a host can be exercised end to end with no network and no API key.
// FAKE_AGENT_SCENARIO picks the behaviour, FAKE_AGENT_DELAY_MS paces the messages, and
// FAKE_AGENT_IGNORE_SIGTERM=1 makes the process survive SIGTERM so a host must escalate.
// A prompt line `replay <path>` instead prints a recorded stream-json transcript (a file inside
// the cwd) line by line, so a host can be fed a long real-looking session at full speed.
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const SCENARIOS = ['success', 'fail', 'hang', 'garbage', 'crash', 'rate-limit'];
const OUTPUT_FORMATS = ['text', 'json', 'stream-json'];
const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'ExitPlanMode', 'Read', 'Edit', 'MultiEdit', 'Write', 'NotebookEdit', 'WebFetch', 'TodoWrite', 'WebSearch', 'BashOutput', 'KillShell'];
// Claude options that take a value: skipping the value keeps it from being read as the prompt.
const IGNORED_VALUE_FLAGS = new Set(['--max-turns', '--allowedTools', '--allowed-tools', '--disallowedTools', '--disallowed-tools', '--permission-mode', '--append-system-prompt', '--system-prompt', '--mcp-config', '--add-dir', '--input-format', '--fallback-model', '--settings', '--permission-prompt-tool', '--setting-sources', '--agents']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MESSAGE_USAGE = { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 1024, output_tokens: 48, service_tier: 'standard' };
// Dollars per token for input, output and cache reads, Sonnet's list prices.
const PRICE = { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6 };
const DEFAULT_OUTPUT_FILE = 'fake-agent-output.md';

/** Exits the way the real CLI does on a usage error; writeSync so the message survives process.exit. */
function fail(message) {
  writeSync(2, `${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const cli = { print: false, verbose: false, outputFormat: 'text', model: 'claude-sonnet-4-5-20250929', resume: undefined, sessionId: undefined, promptWords: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const value = () => {
      const given = equals === -1 ? argv[++i] : arg.slice(equals + 1);
      if (given === undefined) fail(`error: option '${flag}' argument missing`);
      return given;
    };
    if (flag === '-p' || flag === '--print') cli.print = true;
    else if (flag === '--verbose') cli.verbose = true;
    else if (flag === '--output-format') cli.outputFormat = value();
    else if (flag === '--model') cli.model = value();
    else if (flag === '-r' || flag === '--resume') cli.resume = value();
    else if (flag === '--session-id') cli.sessionId = value();
    else if (IGNORED_VALUE_FLAGS.has(flag)) value();
    else if (!arg.startsWith('-')) cli.promptWords.push(arg);
  }
  return cli;
}

async function readStdin() {
  if (process.stdin.isTTY) return '';
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** `write <relative/path> <text...>` lines name the files to write; the text gets a trailing newline. */
function requestedWrites(prompt) {
  const writes = [];
  for (const line of prompt.split(/\r?\n/)) {
    const match = /^\s*write\s+(\S+)(?:[ \t]+(.*))?$/.exec(line);
    if (match) writes.push({ path: match[1], content: `${match[2] ?? ''}\n` });
  }
  return writes.length > 0 ? writes : [{ path: DEFAULT_OUTPUT_FILE, content: prompt }];
}

const isWithin = (root, candidate) => {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
};

/** Resolves symlinks on the deepest part of the path that exists, so a link cannot lead outside. */
function realPathOfNearestExisting(target) {
  let candidate = target;
  while (!existsSync(candidate)) candidate = path.dirname(candidate);
  return realpathSync(candidate);
}

/** Whether a path the prompt names leads outside the cwd, lexically or through a symlink. */
function leavesCwd(cwd, relativePath) {
  const target = path.resolve(cwd, relativePath);
  return path.isAbsolute(relativePath) || !isWithin(cwd, target) || target === cwd
    || !isWithin(realpathSync(cwd), realPathOfNearestExisting(target));
}

function writeInside(cwd, relativePath, content) {
  const target = path.resolve(cwd, relativePath);
  if (leavesCwd(cwd, relativePath)) {
    return { isError: true, content: `<tool_use_error>Refusing to write outside the working directory: ${relativePath}</tool_use_error>` };
  }
  try {
    const existed = existsSync(target);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    return existed
      ? { isError: false, content: `The file ${target} has been updated.`, structured: { type: 'update', filePath: target, content } }
      : { isError: false, content: `File created successfully at: ${target}`, structured: { type: 'create', filePath: target, content } };
  } catch (error) {
    return { isError: true, content: `<tool_use_error>${error.message}</tool_use_error>` };
  }
}

/** The first `replay <path>` line of the prompt, if any. */
function requestedReplay(prompt) {
  for (const line of prompt.split(/\r?\n/)) {
    const match = /^\s*replay\s+(\S+)\s*$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The transcript to replay, checked like a write: the prompt comes from whoever can start an
 * attempt, and printing a file outside the worktree would copy it into the attempt's log.
 */
function replayTarget(cwd, relativePath) {
  if (cli.outputFormat !== 'stream-json') fail('fake-claude: replay needs --output-format stream-json');
  if (leavesCwd(cwd, relativePath)) fail(`fake-claude: refusing to replay a file outside the working directory: ${relativePath}`);
  const target = path.resolve(cwd, relativePath);
  if (!existsSync(target) || !statSync(target).isFile()) fail(`fake-claude: no transcript to replay at ${relativePath}`);
  return target;
}

/**
 * Prints the transcript as it is, one line at a time: as fast as stdout takes it (waiting only
 * when the pipe is full) unless FAKE_AGENT_DELAY_MS paces it. The transcript's own `result`
 * line says how the run went, so the process exits 0.
 */
async function replay(file) {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (delayMs > 0) await sleep(delayMs);
    if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
  }
}

function garbageLines(sessionId) {
  return [
    'Checking for updates... this line is not JSON',
    '{"type":"assistant","message":{"id":"msg_01trunc',
    JSON.stringify({ type: 'telemetry', event: 'tengu_fake_ping', session_id: sessionId }),
    '#'.repeat(200 * 1024),
    'null',
  ];
}

const cli = parseArgs(process.argv.slice(2));
if (!cli.print) fail('fake-claude only implements headless mode: pass -p');
if (!OUTPUT_FORMATS.includes(cli.outputFormat)) {
  fail(`error: option '--output-format <format>' argument '${cli.outputFormat}' is invalid. Allowed choices are ${OUTPUT_FORMATS.join(', ')}.`);
}
if (cli.outputFormat === 'stream-json' && !cli.verbose) fail('Error: When using --print, --output-format=stream-json requires --verbose');
if (cli.sessionId !== undefined && !UUID.test(cli.sessionId)) fail('Error: Invalid session ID. Must be a valid UUID.');
const scenario = process.env.FAKE_AGENT_SCENARIO || 'success';
if (!SCENARIOS.includes(scenario)) fail(`fake-claude: FAKE_AGENT_SCENARIO must be one of ${SCENARIOS.join(', ')}, received "${scenario}"`);
const delayMs = Number(process.env.FAKE_AGENT_DELAY_MS || 0);
if (!Number.isFinite(delayMs) || delayMs < 0) fail(`fake-claude: FAKE_AGENT_DELAY_MS must be a number >= 0, received "${process.env.FAKE_AGENT_DELAY_MS}"`);
if (process.env.FAKE_AGENT_IGNORE_SIGTERM === '1') process.on('SIGTERM', () => {});

const prompt = cli.promptWords.length > 0 ? cli.promptWords.join(' ') : await readStdin();
if (prompt.trim() === '') fail('Error: Input must be provided either through stdin or as a prompt argument when using --print');

const session = { id: cli.resume ?? cli.sessionId ?? randomUUID(), cwd: process.cwd(), startedAt: Date.now(), turns: 0 };
let pendingNoise = [];

/** Resolves once the line is handed to the OS, so an abrupt exit afterwards cannot drop it. */
const writeLine = (line) => new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));

async function send(message) {
  if (cli.outputFormat !== 'stream-json') return;
  if (delayMs > 0) await sleep(delayMs);
  const noise = pendingNoise.shift();
  if (noise !== undefined) await writeLine(noise);
  await writeLine(JSON.stringify(message));
}

const envelope = () => ({ session_id: session.id, uuid: randomUUID() });
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const anthropicId = (prefix) => `${prefix}_01${Array.from(randomBytes(22), (byte) => BASE62[byte % 62]).join('')}`;

/** One API turn. Claude Code prints each content block of a turn as its own line sharing the message id. */
async function assistantTurn(blocks, stopReason) {
  session.turns += 1;
  const id = anthropicId('msg');
  for (const [index, block] of blocks.entries()) {
    const message = { id, type: 'message', role: 'assistant', model: cli.model, content: [block], stop_reason: index === blocks.length - 1 ? stopReason : null, stop_sequence: null, usage: MESSAGE_USAGE };
    await send({ type: 'assistant', message, parent_tool_use_id: null, ...envelope() });
  }
}

async function useTool(leadingBlocks, name, input, perform) {
  const id = anthropicId('toolu');
  await assistantTurn([...leadingBlocks, { type: 'tool_use', id, name, input }], 'tool_use');
  const outcome = perform();
  const block = { tool_use_id: id, type: 'tool_result', content: outcome.content, is_error: outcome.isError };
  await send({ type: 'user', message: { role: 'user', content: [block] }, parent_tool_use_id: null, ...envelope(), tool_use_result: outcome.structured ?? outcome.content });
}

function resultMessage(subtype, text, errors) {
  const usage = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
  for (const key of Object.keys(usage)) usage[key] = MESSAGE_USAGE[key] * session.turns;
  const cost = usage.input_tokens * PRICE.input + usage.output_tokens * PRICE.output + usage.cache_read_input_tokens * PRICE.cacheRead;
  const durationMs = Date.now() - session.startedAt;
  return {
    type: 'result', subtype, is_error: subtype !== 'success', duration_ms: durationMs, duration_api_ms: Math.floor(durationMs * 0.8),
    num_turns: session.turns, ...(text === undefined ? {} : { result: text }), session_id: session.id,
    total_cost_usd: Math.round(cost * 1e6) / 1e6, usage, permission_denials: [], ...(errors ? { errors } : {}), uuid: randomUUID(),
  };
}

async function finish(result) {
  if (cli.outputFormat === 'stream-json') await send(result);
  else await writeLine(cli.outputFormat === 'json' ? JSON.stringify(result) : result.result ?? result.errors.join('\n'));
  process.exitCode = result.is_error ? 1 : 0;
}

async function workOnTask() {
  const written = [];
  const refused = [];
  for (const [index, file] of requestedWrites(prompt).entries()) {
    const thinking = index === 0 ? [{ type: 'thinking', thinking: `The task names ${file.path}; I will write it, then list the directory to check.`, signature: randomBytes(48).toString('base64') }] : [];
    const input = { file_path: path.resolve(session.cwd, file.path), content: file.content };
    await useTool(thinking, 'Write', input, () => {
      const outcome = writeInside(session.cwd, file.path, file.content);
      (outcome.isError ? refused : written).push(file.path);
      return outcome;
    });
  }
  await useTool([], 'Bash', { command: 'ls', description: 'List files in the working directory' }, () => ({ isError: false, content: readdirSync(session.cwd).sort().join('\n') }));
  const summary = `Wrote ${written.length} file(s): ${written.join(', ')}` + (refused.length > 0 ? `; refused ${refused.length} path(s) outside the working directory: ${refused.join(', ')}` : '');
  await assistantTurn([{ type: 'text', text: summary }], 'end_turn');
  await finish(resultMessage('success', summary));
}

/**
 * Whether this run is one of the first FAKE_AGENT_RATE_LIMITED_RUNS in the worktree: counted in a
 * file in the worktree's own git folder (`.git` is a file naming it), which nothing commits.
 */
function rateLimitedThisRun() {
  const limit = Number(process.env.FAKE_AGENT_RATE_LIMITED_RUNS ?? 1);
  const dotGit = path.join(session.cwd, '.git');
  const gitDir = statSync(dotGit).isFile() ? path.resolve(session.cwd, readFileSync(dotGit, 'utf8').replace(/^gitdir:\s*/, '').trim()) : dotGit;
  const counter = path.join(gitDir, 'fake-agent-runs');
  const runs = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
  writeFileSync(counter, String(runs + 1));
  return runs < limit;
}

/** Refused by a rate limit as Claude Code 2.1 reports it: a rejected rate_limit_event, a made-up assistant message, an error result. */
async function rateLimited() {
  const resetsAt = Math.ceil((Date.now() + Number(process.env.FAKE_AGENT_RATE_LIMIT_RESET_MS ?? 2000)) / 1000);
  const text = 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization."}}';
  await send({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour', overageStatus: 'rejected', isUsingOverage: false }, ...envelope() });
  session.turns += 1;
  const message = { id: randomUUID(), type: 'message', role: 'assistant', model: '<synthetic>', content: [{ type: 'text', text }], stop_reason: 'stop_sequence', stop_sequence: '', usage: MESSAGE_USAGE };
  await send({ type: 'assistant', message, parent_tool_use_id: null, ...envelope(), error: 'rate_limit' });
  await finish({ ...resultMessage('success', text), is_error: true, api_error_status: 429 });
}

async function playScenario() {
  await send({
    type: 'system', subtype: 'init', cwd: session.cwd, session_id: session.id, tools: TOOLS, mcp_servers: [], model: cli.model,
    permissionMode: 'default', slash_commands: ['compact', 'context', 'cost', 'init', 'review'], apiKeySource: 'none', output_style: 'default', uuid: randomUUID(),
  });
  if (scenario === 'success') await workOnTask();
  else if (scenario === 'rate-limit') await (rateLimitedThisRun() ? rateLimited() : workOnTask());
  else if (scenario === 'garbage') {
    pendingNoise = garbageLines(session.id);
    await workOnTask();
  } else if (scenario === 'fail') {
    const reason = 'simulated failure (FAKE_AGENT_SCENARIO=fail)';
    await assistantTurn([{ type: 'text', text: 'I could not complete the task: the fake agent was told to fail.' }], 'end_turn');
    writeSync(2, `Error: ${reason}\n`);
    await finish(resultMessage('error_during_execution', undefined, [reason]));
  } else if (scenario === 'hang') {
    setInterval(() => {}, 60_000);
  } else if (scenario === 'crash') {
    writeSync(2, 'fake-claude: simulated crash (FAKE_AGENT_SCENARIO=crash)\n');
    process.exit(2);
  }
}

// A transcript is a whole session, init line included, so it replaces the scenario.
const transcript = requestedReplay(prompt);
if (transcript === undefined) await playScenario();
else await replay(replayTarget(session.cwd, transcript));
