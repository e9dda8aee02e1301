import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forgecore, startClientServer, startForgecore, FORGE_BIN, type ClientServer } from './support/forgecore-cli.ts';
import { startScriptedServer } from './support/scripted-http-server.ts';
import { freePort } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';

const RECORD_IMPORTS = fileURLToPath(new URL('./fixtures/record-imports.mjs', import.meta.url));
// A UUIDv7 no server has made.
const UNKNOWN_ID = '01a00000-0000-7000-8000-000000000000';

/** One line on stderr, nothing on stdout, the exit code given, and no stack frame anywhere. */
function assertOneLineFailure(run: { code: number | null; stdout: string; stderr: string }, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr.split('\n').length, 2, `exactly one line:\n${run.stderr}`);
  assert.ok(run.stderr.endsWith('\n'));
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  assert.match(run.stderr, pattern);
}

describe('forgecore client commands: bad input, help, completion, start-up', function () {
  // A backstop only: each case waits for its processes, and a busy machine spawns slowly.
  this.timeout(300_000);
  let setup: ClientServer;
  let env: Record<string, string>;

  before(async () => {
    setup = await startClientServer();
    env = setup.env;
  });
  after(async () => setup?.close());

  it('usage errors (unknown command, verb or flag, a missing argument, a value outside the choices, a malformed token or URL) are one line and exit 2', async () => {
    // Secrets are spelled "sekrit" here: no message may repeat them. Nor may a message carry an escape sequence the user typed.
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['tsk', 'list'], /^forgecore: Unknown command: tsk\. Run `forgecore --help` for usage\.$/m],
      [['task', 'lst'], /^forgecore task: unknown command "lst"; the commands are create, list, show, update, delete\. Run `forgecore task --help` for usage\.$/m],
      [['task', 'list', '--jsno'], /^forgecore task list: Unknown option '--jsno'\. Run `forgecore task list --help` for usage\.$/m],
      [['attempt', 'show'], /^forgecore attempt show: missing <attemptId>\. Run `forgecore attempt show --help`/m],
      [['attempt', 'show', 'a', 'b'], /^forgecore attempt show: unexpected argument "b"\./m],
      [['task', 'list', '--status', 'finished'], /^forgecore task list: --status must be one of todo, inprogress, inreview, done, cancelled, got "finished"\./m],
      [['task', 'create', '--title', 'no project'], /^forgecore task create: --project <projectId> is required/m],
      [['attempt', 'start', UNKNOWN_ID], /^forgecore attempt start: name the agent with --executor <id> or --profile <name>/m],
      [['completion', 'tcsh'], /^forgecore completion: <shell> must be one of bash, zsh, fish, got "tcsh"\./m],
      [['task', 'list', '--\x1b]0;TITLE\x07jsno\x1b[31m'], /^forgecore task list: Unknown option '--jsno'\./m],
      [['project', 'add', ''], /^forgecore project add: <path> is empty\. Run `forgecore project add --help` for usage\.$/m],
      [
        ['--server', 'http://127.0.0.1:1', '--token', 'sekrit-token-value', 'task', 'list', '--json'],
        /^forgecore: flags go after the command: `forgecore task list --json --server http:\/\/127\.0\.0\.1:1 --token <token>`\. Run `forgecore --help`/m,
      ],
      [['task', 'list', '--token', 'sekrit\ntoken'], /^forgecore: --token is not an API token: a token is printable ASCII characters only .*\. Copy it again\.$/m],
      [['task', 'list'], /^forgecore: FORGE_API_TOKEN is not an API token/m, { FORGE_API_TOKEN: 'sekrét-token' }],
      [['task', 'list', '--server', 'http://127.0.0.1:1/?token=sekrit'], /^forgecore: --server must be the server's root URL, like http:\/\/127\.0\.0\.1:8887, without a \?query/m],
      [['task', 'list'], /^forgecore: FORGE_URL must not hold a user name or password; give the API token in FORGE_API_TOKEN/m, { FORGE_URL: 'http://me:sekrit@127.0.0.1:1' }],
      [['task', 'list'], /^forgecore: FORGE_CLIENT_TIMEOUT_MS must be a whole number of milliseconds/m, { FORGE_CLIENT_TIMEOUT_MS: 'soon' }],
      [['task', 'list', '--server', ''], /^forgecore task list: --server is empty\. Run `forgecore task list --help` for usage\.$/m],
      [['task', 'list', '--token', ''], /^forgecore task list: --token is empty\./m],
      [['task', 'create', '--project', UNKNOWN_ID, '--title', ''], /^forgecore task create: --title is empty\./m],
      [['task', 'list'], /^forgecore: FORGE_URL is set but empty: set it to the server's URL/m, { FORGE_URL: '' }],
      [['--version', 'extra'], /^forgecore: unexpected argument "extra" after --version\. Run `forgecore --help` for usage\.$/m],
    ];
    for (const [args, pattern, extra] of cases) {
      const run = await forgecore({ ...env, ...extra }, ...args);
      assertOneLineFailure(run, 2, pattern);
      assert.doesNotMatch(run.stderr, /sekr|[\x00-\x09\x0b-\x1f\x7f]/, `${JSON.stringify(args)}: no secret, no control character`);
    }
  });

  it('nothing listening at the URL is exit 3, a refused token exit 4: each one line that says what to do', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    assertOneLineFailure(await forgecore(env, 'task', 'list', '--server', nobody), 3, new RegExp(`^forgecore: No Forge Core server answers at ${nobody} \\(ECONNREFUSED\\)\\. Check --server, or start the server\\.$`, 'm'));
    assertOneLineFailure(
      await forgecore({ FORGE_HOME: env.FORGE_HOME!, FORGE_PORT: String(new URL(nobody).port) }, 'project', 'list'),
      3,
      /^forgecore: No Forge Core server answers at .*\. Start it with `forgecore serve`, or pass --server <url> \(or set FORGE_URL\) for another one\.$/m,
    );
    assertOneLineFailure(await forgecore(env, 'logs', '-f', UNKNOWN_ID, '--server', nobody), 3, /No Forge Core server answers/);
    // A port Node's fetch will not connect to: said as such, not as a server that is not there.
    assertOneLineFailure(
      await forgecore(env, 'task', 'list', '--server', 'http://127.0.0.1:6667'),
      3,
      /^forgecore: cannot connect to port 6667: Node's fetch refuses it \(a port browsers block\); run the server on another port \(--port \/ FORGE_PORT\)\.$/m,
    );

    const wrong = await forgecore(env, 'task', 'list', '--token', 'not-the-servers-token');
    assertOneLineFailure(wrong, 4, /^forgecore: The server at http:\/\/127\.0\.0\.1:\d+ refused the request \(FORGE_UNAUTHORIZED\)\. The token given .* is not the server's FORGE_API_TOKEN\.$/m);
    assert.doesNotMatch(wrong.stderr, /not-the-servers-token/, 'the token is never printed');
    // The configuration's token goes only to the configuration's server, not to a URL named on the command line.
    assertOneLineFailure(await forgecore({ ...env, FORGE_URL: setup.server.url }, 'task', 'list'), 4, /Pass its API token with FORGE_API_TOKEN or --token\.$/m);
    const given = await forgecore({ ...env, FORGE_URL: setup.server.url, FORGE_API_TOKEN: setup.token }, 'task', 'list');
    assert.equal(given.code, 0, given.stderr);
  });

  it('what is not Forge Core: JSON of another shape, an escape in an error, no answer in time (exit 3); paths encoded; suggestions keep --server', async () => {
    const entry = { seq: 1, attemptId: 'slow', kind: 'message', payload: { role: 'assistant', text: 'working on it' }, ts: '2025-01-01T00:00:00.000Z' };
    const attempt = { id: 'slow', taskId: 't', state: 'succeeded', executor: { id: 'fake-agent' }, branch: 'forge/slow' };
    const task = { id: '01a00000-0000-7000-8000-0000000000aa', projectId: 'p', title: 'One task', status: 'todo', priority: 0 };
    const other = await startScriptedServer((request, response) => {
      const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const path = new URL(request.url!, 'http://x').pathname;
      if (path === '/api/v1/projects') json(200, { ok: true });
      else if (path === '/api/v1/tasks') json(200, { items: [task], nextCursor: 'page2' });
      else if (path === '/api/v1/tasks/evil') json(409, { error: { code: 'FORGE_CONFLICT', message: 'bad \x1b[31mRED\x1b]0;TITLE\x07 news', details: {} } });
      else if (path === '/api/v1/attempts/slow') json(200, attempt);
      else if (path === '/api/v1/attempts/slow/logs/stream') {
        // Quiet for longer than the answer deadline once open: the open stream must not be cut.
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        if (new URL(request.url!, 'http://x').searchParams.get('after') === '0') response.write(`event: entry\ndata: ${JSON.stringify(entry)}\n\n`);
        setTimeout(() => response.end('event: end\ndata: {}\n\n'), 2_500);
      } else if (path.split('/').includes('hang')) return;
      else json(404, { error: { code: 'FORGE_NOT_FOUND', message: `Nothing at ${path}.`, details: {} } });
    });
    try {
      assertOneLineFailure(
        await forgecore(env, 'project', 'list', '--server', other.url),
        3,
        new RegExp(`^forgecore: ${other.url} is not a Forge Core server: it answered GET /projects without "items"\\. Check --server\\.$`, 'm'),
      );
      const evil = await forgecore(env, 'task', 'show', 'evil', '--server', other.url);
      assert.deepEqual([evil.code, evil.stdout], [1, '']);
      assert.equal(evil.stderr, 'forgecore: FORGE_CONFLICT: bad RED news\n', 'the escape sequences are taken out');
      // Nothing answers: a request, and the opening of a log stream.
      const impatient = { ...env, FORGE_CLIENT_TIMEOUT_MS: '300' };
      for (const [args, request] of [[['task', 'show', 'hang'], 'GET /tasks/hang'], [['logs', '-f', 'hang'], 'GET /attempts/hang/logs/stream']] as const) {
        assertOneLineFailure(
          await forgecore(impatient, ...args, '--server', other.url),
          3,
          new RegExp(`^forgecore: The server at ${other.url} did not answer within 300 ms \\(${request}\\)\\. .* FORGE_CLIENT_TIMEOUT_MS sets how long to wait\\.$`, 'm'),
        );
      }

      other.requests.length = 0;
      const slow = await forgecore({ ...env, FORGE_CLIENT_TIMEOUT_MS: '1000' }, 'logs', '-f', 'slow', '--server', `${other.url}/api/v1/`);
      assert.equal(slow.code, 0, slow.stderr);
      assert.deepEqual(other.requests, ['GET /api/v1/attempts/slow/logs/stream?after=0', 'GET /api/v1/attempts/slow'], 'opened once: /api/v1 given in the URL is not doubled');
      assert.match(slow.stdout, /^working on it$/m);
      assert.match(slow.stdout, new RegExp(`See it: forgecore attempt diff slow --server ${other.url}; merge it: forgecore attempt merge slow --server ${other.url}$`, 'm'));

      other.requests.length = 0;
      const escaped = await forgecore(env, 'logs', '-f', '../tasks', '--server', other.url);
      assert.equal(escaped.code, 1);
      assert.deepEqual(other.requests, ['GET /api/v1/attempts/..%2Ftasks/logs/stream?after=0'], 'the id stays one path segment');

      const listed = await forgecore(env, 'task', 'list', '--limit', '1', '--server', other.url);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(listed.stderr, `There are more: forgecore task list --limit 1 --cursor page2 --server ${other.url}\n`);
      const fromEnv = await forgecore({ ...env, FORGE_URL: `${other.url}/api/v1` }, 'task', 'list');
      assert.equal(fromEnv.stderr, 'There are more: forgecore task list --cursor page2\n', 'FORGE_URL goes on to the next command by itself');
    } finally {
      await other.close();
    }
  });

  it("an unknown id is the server's 404 message, exit 1; a config.json that does not parse is one line, exit 2", async () => {
    for (const [args, path] of [
      [['task', 'show', UNKNOWN_ID], `/tasks/${UNKNOWN_ID}`],
      [['attempt', 'diff', UNKNOWN_ID], `/attempts/${UNKNOWN_ID}/diff`],
      [['logs', '-f', UNKNOWN_ID], `/attempts/${UNKNOWN_ID}/logs`],
    ] as const) {
      const { status, body } = await setup.api('GET', path);
      assert.equal(status, 404);
      assertOneLineFailure(await forgecore(env, ...args), 1, new RegExp(`^forgecore: FORGE_NOT_FOUND: ${body.error.message.replaceAll('.', '\\.')}$`, 'm'));
    }
    const home = tempDir('forge-cli-broken-');
    try {
      writeFileSync(join(home.path, 'config.json'), '{ not json');
      assertOneLineFailure(await forgecore({ FORGE_HOME: home.path }, 'project', 'list'), 2, /^forgecore: Cannot read .*config\.json: .*\. Fix the JSON, or pass --server <url>\.$/m);
    } finally {
      home.cleanup();
    }
  });

  it('forgecore help lists every client command and the exit codes; each command has its help', async () => {
    const help = await forgecore(env, 'help');
    assert.equal(help.code, 0);
    for (const noun of ['project', 'task', 'attempt', 'logs', 'approvals', 'executors', 'completion']) assert.match(help.stdout, new RegExp(`^  ${noun}\\s`, 'm'));
    for (const line of [/^ {2}2 {4}usage error/m, /^ {2}3 {4}no Forge Core server answers at the URL \(/m, /^ {2}4 {4}the server refused the token \(401, 403\)$/m]) assert.match(help.stdout, line);
    // A noun alone, `--help` after it and `help` before it all show its commands, and none is an error.
    const nounHelps = await Promise.all([forgecore(env, 'attempt', '--help'), forgecore(env, 'attempt'), forgecore(env, 'help', 'attempt')]);
    for (const run of nounHelps) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, nounHelps[0]!.stdout);
    }
    assert.match(nounHelps[0]!.stdout, /^ {2}follow-up <attemptId>\s+Run the agent of a finished attempt again/m);
    assert.match((await forgecore(env, 'help', 'task', 'create')).stdout, /^Usage: forgecore task create \[flags\]$/m);
    const verbHelp = await forgecore(env, 'task', 'create', '-h');
    assert.match(verbHelp.stdout, /^Usage: forgecore task create \[flags\]$/m);
    assert.match(verbHelp.stdout, /^ {6}--status <status>|^ {6}--executor <id>\s+the agent to run/m);
    assert.match(verbHelp.stdout, /^Example:\n {2}forgecore task create --project/m);
  });

  it('completion bash completes commands, verbs, flags and their values; zsh and fish name every command', async () => {
    const bash = await forgecore(env, 'completion', 'bash');
    assert.equal(bash.code, 0, bash.stderr);
    const home = tempDir('forge-cli-completion-');
    try {
      const script = join(home.path, 'forgecore.bash');
      writeFileSync(script, bash.stdout);
      const complete = (...words: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile(
            'bash',
            ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _forgecore_completion; printf '%s\\n' "\${COMPREPLY[@]}"`, script, 'forgecore', ...words],
            (error, stdout) => (error ? reject(error) : resolve(stdout.trim())),
          ),
        );
      assert.equal(await complete('att'), 'attempt');
      assert.equal(await complete('attempt', 'fo'), 'follow-up');
      assert.equal(await complete('attempt', 'start', '--fo'), '--follow');
      assert.equal(await complete('task', 'list', '--status', 'in'), 'inprogress\ninreview');
      assert.equal(await complete('completion', 'z'), 'zsh');
      assert.equal(await complete('doctor', '--j'), '--json');
    } finally {
      home.cleanup();
    }
    for (const shell of ['zsh', 'fish']) {
      const run = await forgecore(env, 'completion', shell);
      assert.equal(run.code, 0, run.stderr);
      for (const word of ['serve', 'project', 'follow-up', 'approve', '--executor', 'inprogress']) assert.ok(run.stdout.includes(word), `${shell} completion names ${word}`);
    }
  });

  it('a failed write to stdout (a full disk: /dev/full) is one line and exit 1, not a silent success', async () => {
    for (const args of [['task', 'list', '--json'], ['completion', 'bash'], ['--help']]) {
      const full = await startForgecore(env, args, ['sh', '-c', 'exec "$@" >/dev/full', 'sh', process.execPath, FORGE_BIN]).exited;
      assert.deepEqual([full.code, full.stderr], [1, 'forgecore: could not write the output: ENOSPC\n'], args.join(' '));
    }
  });

  it('the client commands load none of the server modules (hapi, joi, knex, SQLite, pino, the MCP SDK)', async () => {
    const dirs = tempDir('forge-cli-imports-');
    try {
      const record = join(dirs.path, 'imports.txt');
      writeFileSync(record, '');
      const run = startForgecore({ ...env, RECORD_IMPORTS_TO: record }, ['--import', RECORD_IMPORTS, FORGE_BIN, 'task', 'list'], [process.execPath]);
      const ended = await run.exited;
      assert.equal(ended.code, 0, ended.stderr);
      const loaded = readFileSync(record, 'utf8').split('\n').filter(Boolean);
      assert.ok(loaded.some((url) => url.includes('eventsource-parser')), `the record works:\n${loaded.join('\n')}`);
      const heavy = loaded.filter((url) => /node_modules\/(@hapi|joi|knex|better-sqlite3|pino|@modelcontextprotocol|prom-client)\//.test(url));
      assert.deepEqual(heavy, []);
    } finally {
      dirs.cleanup();
    }
  });
});
