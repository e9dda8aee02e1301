import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, makeRepo } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

/**
 * Bad input on every route gets a 4xx with the one error body, never a 500.
 *
 * Cases come from two places: generic ones derived from spec/openapi.json (malformed and unknown
 * ids, broken bodies and content types, bad query values), and the hand-written table below
 * (wrong types, missing fields, git and executor nonsense, state conflicts). Every route in the
 * spec must have hand-written cases, so a new route fails here until someone writes them.
 *
 * Paths and bodies use placeholders filled in once the fixtures exist: $project, $task, $done (a
 * finished attempt), $running (an attempt running `sleep 3600`, long past any run of these cases
 * however loaded the machine, and stopped by the last one), $random (a well-formed unknown id),
 * $repo (the project's repository), $repo2 (a repository that is no project), $emptyRepo (git init,
 * no commit), $file (a plain file), $subdir (a folder inside $repo), $missing (no such path).
 */

const SPEC_FILE = fileURLToPath(new URL('../../spec/openapi.json', import.meta.url));
const API_PREFIX = '/api/v1';
const MB = 1024 * 1024;

const V = 'FORGE_VALIDATION_FAILED';
const NOT_FOUND = 'FORGE_NOT_FOUND';
const NO_ROUTE = 'FORGE_ROUTE_NOT_FOUND';
const CONFLICT = 'FORGE_CONFLICT';
const UNPROCESSABLE = 'FORGE_UNPROCESSABLE';
const TOO_LARGE = 'FORGE_PAYLOAD_TOO_LARGE';
const MEDIA_TYPE = 'FORGE_UNSUPPORTED_MEDIA_TYPE';
const NOT_A_REPO = 'FORGE_NOT_A_GIT_REPOSITORY';
const EMPTY_REPO = 'FORGE_REPOSITORY_EMPTY';
const NO_BRANCH = 'FORGE_BRANCH_NOT_FOUND';
const NO_EXECUTOR = 'FORGE_EXECUTOR_NOT_FOUND';
const NO_PROFILE = 'FORGE_PROFILE_NOT_FOUND';

/** Not a route in the spec: the request must get 404 FORGE_ROUTE_NOT_FOUND. */
const UNKNOWN = '(no such route)';

interface Req {
  method?: string;
  /** Relative to /api/v1 unless `root`; defaults to the route's path with the fixtures' ids. */
  path?: string;
  root?: boolean;
  query?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (with content-type application/json unless `headers` says otherwise). */
  raw?: string;
  /** Its string and number fields sent as application/x-www-form-urlencoded. */
  form?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** For a tolerated request to an event stream: the event that must arrive. */
  sse?: 'resync' | 'end';
}

/** [route as "METHOD /path" in the spec, what is wrong, request, expected status, expected code, text the message must contain] */
type Row = [route: string, name: string, req: Req, status: number, code?: string, mention?: string];

interface Case {
  route: string;
  name: string;
  req: Req;
  status: number;
  code: string | undefined;
  mention: string | undefined;
  generated: boolean;
}

interface SpecRoute {
  key: string;
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  statuses: number[];
}

function readSpecRoutes(): SpecRoute[] {
  const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown; responses?: Record<string, unknown> }>>;
  };
  const routes: SpecRoute[] = [];
  for (const [fullPath, operations] of Object.entries(spec.paths)) {
    assert.ok(fullPath.startsWith(`${API_PREFIX}/`), `${fullPath} is under ${API_PREFIX}`);
    const path = fullPath.slice(API_PREFIX.length);
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      routes.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: operation.requestBody !== undefined,
        statuses: Object.keys(operation.responses ?? {}).map(Number),
      });
    }
  }
  return routes;
}

const specRoutes = readSpecRoutes();

/** Which fixture stands in for each path parameter when the case does not name a path. */
const FIXTURE_FOR_PARAM: Record<string, string> = { projectId: '$project', taskId: '$task', attemptId: '$done', dependsOnTaskId: '$task', webhookId: '$webhook', deliveryId: '$random' };
const fillParams = (path: string, value?: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => value ?? FIXTURE_FOR_PARAM[name] ?? `$missing-fixture-${name}`);
/** The path with `param` set to `value` and every other parameter to a well-formed id, so only `param` can be what is wrong. */
const fillOne = (path: string, param: string, value: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => (name === param ? value : '$random'));

/**
 * For each route with a body: a body joi accepts but the handler refuses harmlessly (unknown id,
 * path that is no repository). A generic case that breaks only the encoding of this body must then
 * get its own 4xx, never this one, and never a side effect.
 */
// `optional`: the route also takes no body (or JSON null) and answers as for the harmless one.
const HARMLESS_BODY: Record<string, { body: Record<string, unknown>; status: number; code: string; optional?: boolean }> = {
  'POST /projects': { body: { name: 'x', repoPath: '$missing' }, status: 422, code: NOT_A_REPO },
  'PATCH /projects/{projectId}': { body: { name: 'x' }, status: 404, code: NOT_FOUND },
  'POST /tasks': { body: { projectId: '$random', title: 'x' }, status: 422, code: UNPROCESSABLE },
  'PATCH /tasks/{taskId}': { body: { title: 'x' }, status: 404, code: NOT_FOUND },
  'POST /tasks/{taskId}/dependencies': { body: { dependsOn: '$random' }, status: 404, code: NOT_FOUND },
  'POST /tasks/{taskId}/attempts': { body: { executor: 'script', options: { command: 'true' } }, status: 404, code: NOT_FOUND },
  'POST /attempts/{attemptId}/follow-up': { body: { prompt: 'again' }, status: 404, code: NOT_FOUND },
  'POST /attempts/{attemptId}/push': { body: { branch: 'base' }, status: 404, code: NOT_FOUND, optional: true },
  'POST /attempts/{attemptId}/pull-request': { body: { title: 'x' }, status: 404, code: NOT_FOUND, optional: true },
  'POST /plugins': { body: { source: '$missing' }, status: 422, code: UNPROCESSABLE },
  'POST /approvals/{approvalId}': { body: { decision: 'approve' }, status: 404, code: NOT_FOUND },
  'PUT /executor-profiles/{name}': { body: { executor: 'no-such-executor' }, status: 422, code: NO_EXECUTOR },
  'POST /webhooks': { body: { url: 'http://127.0.0.1/hooks', eventTypes: ['*'] }, status: 422, code: 'FORGE_WEBHOOK_TARGET_REFUSED' },
  'PATCH /webhooks/{webhookId}': { body: { description: 'x' }, status: 404, code: NOT_FOUND },
  'PATCH /queue': { body: { executors: { 'no-such-executor': 1 } }, status: 422, code: NO_EXECUTOR },
};

/** What a well-formed unknown path parameter answers where it is not 404 FORGE_NOT_FOUND naming it. */
const UNKNOWN_PARAM: Record<string, { status: number; code: string; mention?: string }> = {
  'GET /executor-profiles/{name}': { status: 404, code: NO_PROFILE, mention: '$random' },
  'DELETE /executor-profiles/{name}': { status: 404, code: NO_PROFILE, mention: '$random' },
  // A PUT creates what it names: the harmless body's unknown executor is what it refuses.
  'PUT /executor-profiles/{name}': { status: 422, code: NO_EXECUTOR },
};

/** Bad values for each query parameter any route takes, by name. */
const BAD_QUERY_VALUES: Record<string, string[]> = {
  limit: ['0', '-1', '100000', '1.5', 'abc', ''],
  // Also well-formed base64url that does not decode to an id: no cursor this server gave out.
  cursor: ['%24%24', 'a%20b', '..%2F..', 'a'.repeat(65), 'zzz', 'eyJ4IjoxfQ', 'AAAA'],
  after: ['-1', '1.5', 'abc'],
  processId: ['not-a-uuid', '..%2F..%2Fetc'],
  projectId: ['not-a-uuid', '123'],
  status: ['bogus', 'TODO'],
  state: ['bogus', 'PENDING'],
  attemptId: ['not-a-uuid', '..%2F..%2Fetc'],
  refresh: ['maybe', '1', 'yes', ''],
  tail: ['maybe', '1', 'last', ''],
  includePatch: ['maybe', '0', 'no', ''],
  timeoutSeconds: ['-1', '601', '1.5', 'abc', ''],
  speed: ['0', '1001', '-1', 'fast', 'MAX', ''],
  maxGapMs: ['-1', '1.5', 'abc', '3600001'],
};

const MALFORMED_IDS: [string, string][] = [
  ['not-a-uuid', 'not-a-uuid'],
  ['../../etc/passwd (encoded)', encodeURIComponent('../../etc/passwd')],
  ['%2e%2e%2f', '%2e%2e%2f'],
  ['a UUID with a trailing dot', '0190a0a0-0000-7000-8000-00000000000.'],
];

/** Pack names are npm package names, not ids: these are what no npm name can be. */
const MALFORMED_NAMES: [string, string][] = [
  ['upper case', 'Not-A-Pack'],
  ['../../etc/passwd (encoded)', encodeURIComponent('../../etc/passwd')],
  ['%2e%2e%2f', '%2e%2e%2f'],
  ['a space', 'a%20pack'],
  ['two slashes (encoded)', encodeURIComponent('@a/b/c')],
];
const malformedValuesFor = (param: string) => (param === 'name' ? MALFORMED_NAMES : MALFORMED_IDS);

function generatedCases(): Case[] {
  const cases: Case[] = [];
  const add = (route: string, name: string, req: Req, status: number, code?: string, mention?: string) =>
    cases.push({ route, name, req, status, code, mention, generated: true });
  for (const route of specRoutes) {
    const harmless = HARMLESS_BODY[route.key];
    for (const param of route.pathParams) {
      for (const [label, bad] of malformedValuesFor(param)) {
        add(route.key, `malformed ${param}: ${label}`, { path: fillOne(route.path, param, bad), ...(harmless ? { body: harmless.body } : {}) }, 400, V, param);
      }
      const unknown = UNKNOWN_PARAM[route.key] ?? { status: 404, code: NOT_FOUND, mention: '$random' };
      add(route.key, `unknown ${param} (well-formed)`, { path: fillParams(route.path, '$random'), ...(harmless ? { body: harmless.body } : {}) }, unknown.status, unknown.code, unknown.mention);
    }
    for (const param of route.queryParams) {
      for (const bad of BAD_QUERY_VALUES[param] ?? []) add(route.key, `query ${param}=${bad.slice(0, 20)}`, { query: `${param}=${bad}` }, 400, V, param);
    }
    if (route.queryParams.length > 0) add(route.key, 'an unknown query parameter', { query: 'bogus=1' }, 400, V, 'bogus');

    // Bodies go to an unknown id (or a harmless target), so nothing can change if one is wrongly accepted.
    const path = fillParams(route.path, '$random');
    if (route.hasBody && harmless) {
      const { body } = harmless;
      add(route.key, 'baseline: the harmless body as JSON reaches the handler', { path, body }, harmless.status, harmless.code);
      const none: [number, string] = harmless.optional ? [harmless.status, harmless.code] : [400, V];
      add(route.key, 'no body at all', { path }, ...none);
      add(route.key, 'an empty body with content-type application/json', { path, raw: '' }, ...none);
      add(route.key, 'JSON null', { path, raw: 'null' }, ...none);
      add(route.key, 'a JSON array', { path, body: [body] }, 400, V);
      add(route.key, 'a JSON string', { path, body: 'hello' }, 400, V);
      add(route.key, 'a JSON number', { path, body: 42 }, 400, V);
      add(route.key, 'a body that is not JSON', { path, raw: '{"name": ' }, 400, V);
      add(route.key, 'a __proto__ key', { path, raw: `{"__proto__":{"polluted":true},${JSON.stringify(body).slice(1)}` }, 400, V);
      add(route.key, 'an unknown field', { path, body: { ...body, bogus: 1 } }, 400, V, 'bogus');
      add(route.key, 'the body as text/plain', { path, raw: JSON.stringify(body), headers: { 'content-type': 'text/plain' } }, 415, MEDIA_TYPE);
      add(route.key, 'the body as a form', { path, form: body }, 415, MEDIA_TYPE);
      add(route.key, 'the body as XML', { path, raw: '<project/>', headers: { 'content-type': 'application/xml' } }, 415, MEDIA_TYPE);
      add(route.key, 'a 2 MB body', { path, body: { ...body, padding: 'x'.repeat(2 * MB) } }, 413, TOO_LARGE);
    } else if (route.method !== 'GET') {
      add(route.key, 'a body that is not JSON', { path, raw: '{"force": ' }, 400, V);
      // Refused from its headers, before a byte of it is read (spec/decisions/0014).
      add(route.key, 'a 2 MB body', { path, body: { padding: 'x'.repeat(2 * MB) } }, 400, V, 'takes no request body');
    }
  }
  return cases;
}

const long = (n: number) => 'x'.repeat(n);
const script = (options: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ executor: 'script', options, ...extra });
const ok = { command: 'true' };

// prettier-ignore
const TABLE: Row[] = [
  // ── projects ──────────────────────────────────────────────────────────────────────────────
  ['POST /projects', 'name is a number', { body: { name: 1, repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name is an array', { body: { name: ['a'], repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name is an object', { body: { name: {}, repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name is a boolean', { body: { name: true, repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name is null', { body: { name: null, repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name is blank', { body: { name: '   ', repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name has 201 characters', { body: { name: long(201), repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'name is missing', { body: { repoPath: '$repo2' } }, 400, V, 'name'],
  ['POST /projects', 'repoPath is missing', { body: { name: 'x' } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is a number', { body: { name: 'x', repoPath: 42 } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is a boolean', { body: { name: 'x', repoPath: false } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is an array', { body: { name: 'x', repoPath: ['$repo2'] } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is empty', { body: { name: 'x', repoPath: '' } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath has 4097 characters', { body: { name: 'x', repoPath: `/${long(4096)}` } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is relative: ../../etc', { body: { name: 'x', repoPath: '../../etc' } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is relative: app', { body: { name: 'x', repoPath: 'app' } }, 400, V, 'repoPath'],
  ['POST /projects', 'repoPath is /etc, not a git repository', { body: { name: 'x', repoPath: '/etc' } }, 422, NOT_A_REPO, '/etc'],
  ['POST /projects', 'repoPath is /tmp/../etc', { body: { name: 'x', repoPath: '/tmp/../etc' } }, 422, NOT_A_REPO, '/tmp/../etc'],
  ['POST /projects', 'repoPath is a file, not a directory', { body: { name: 'x', repoPath: '$file' } }, 422, NOT_A_REPO, '$file'],
  ['POST /projects', 'repoPath does not exist', { body: { name: 'x', repoPath: '$missing' } }, 422, NOT_A_REPO, '$missing'],
  ['POST /projects', 'repoPath is a folder inside a repository', { body: { name: 'x', repoPath: '$subdir' } }, 422, NOT_A_REPO, '$subdir'],
  ['POST /projects', 'repoPath holds a NUL byte', { body: { name: 'x', repoPath: '$repo2\u0000' } }, 422, NOT_A_REPO],
  ['POST /projects', 'repoPath is a repository without commits', { body: { name: 'x', repoPath: '$emptyRepo' } }, 422, EMPTY_REPO, '$emptyRepo'],
  ['POST /projects', 'repoPath is already a project', { body: { name: 'x', repoPath: '$repo' } }, 409, CONFLICT, '$repo'],
  ['POST /projects', 'defaultBranch "-x"', { body: { name: 'x', repoPath: '$repo2', defaultBranch: '-x' } }, 400, V, 'defaultBranch'],
  ['POST /projects', 'defaultBranch "a..b"', { body: { name: 'x', repoPath: '$repo2', defaultBranch: 'a..b' } }, 400, V, 'defaultBranch'],
  ['POST /projects', 'defaultBranch "has space"', { body: { name: 'x', repoPath: '$repo2', defaultBranch: 'has space' } }, 400, V, 'defaultBranch'],
  ['POST /projects', 'defaultBranch is a number', { body: { name: 'x', repoPath: '$repo2', defaultBranch: 7 } }, 400, V, 'defaultBranch'],
  ['POST /projects', 'defaultBranch does not exist', { body: { name: 'x', repoPath: '$repo2', defaultBranch: 'nope' } }, 422, NO_BRANCH, 'nope'],
  ['POST /projects', 'maxConcurrentAttempts is a word', { body: { name: 'x', repoPath: '$repo2', maxConcurrentAttempts: 'ten' } }, 400, V, 'maxConcurrentAttempts'],
  ['POST /projects', 'maxConcurrentAttempts is 0', { body: { name: 'x', repoPath: '$repo2', maxConcurrentAttempts: 0 } }, 400, V, 'maxConcurrentAttempts'],
  ['POST /projects', 'maxConcurrentAttempts is 1.5', { body: { name: 'x', repoPath: '$repo2', maxConcurrentAttempts: 1.5 } }, 400, V, 'maxConcurrentAttempts'],
  ['POST /projects', 'setupScript is an object', { body: { name: 'x', repoPath: '$repo2', setupScript: {} } }, 400, V, 'setupScript'],
  ['POST /projects', 'remoteUrl is a number', { body: { name: 'x', repoPath: '$repo2', remoteUrl: 5 } }, 400, V, 'remoteUrl'],
  ['POST /projects', 'an id is given', { body: { id: '$random', name: 'x', repoPath: '$repo2' } }, 400, V, 'id'],
  ['GET /projects', 'limit given twice', { query: 'limit=1&limit=2' }, 400, V, 'limit'],
  ['GET /projects', 'cursor given twice', { query: 'cursor=abc&cursor=def' }, 400, V, 'cursor'],
  ['GET /projects/{projectId}', 'a task id as project id', { path: '/projects/$task' }, 404, NOT_FOUND, '$task'],
  ['GET /projects/{projectId}', 'the id followed by a space', { path: '/projects/$project%20' }, 400, V, 'projectId'],
  ['GET /projects/{projectId}', 'a malformed percent-encoding', { path: '/projects/%zz' }, 400, V],
  ['PATCH /projects/{projectId}', 'no change at all', { body: {} }, 400, V],
  ['PATCH /projects/{projectId}', 'gitProviderApiUrl carries a token in its query', { body: { gitProviderApiUrl: 'https://git.example.com/api/v4?private_token=x' } }, 400, V, 'gitProviderApiUrl'],
  ['PATCH /projects/{projectId}', 'gitProviderApiUrl carries a user and password', { body: { gitProviderApiUrl: 'https://u:p@git.example.com/api/v4' } }, 400, V, 'no user, password'],
  ['PATCH /projects/{projectId}', 'gitProvider is not installed', { body: { gitProvider: 'no-such-host' } }, 400, V, 'no-such-host'],
  ['PATCH /projects/{projectId}', 'pullRequestReactions.maxFollowUps is past 50', { body: { pullRequestReactions: { ciFailure: true, maxFollowUps: 51 } } }, 400, V, 'maxFollowUps'],
  ['PATCH /projects/{projectId}', 'name is a number', { body: { name: 5 } }, 400, V, 'name'],
  ['PATCH /projects/{projectId}', 'name is empty', { body: { name: '' } }, 400, V, 'name'],
  ['PATCH /projects/{projectId}', 'name is null', { body: { name: null } }, 400, V, 'name'],
  ['PATCH /projects/{projectId}', 'repoPath cannot be changed', { body: { repoPath: '/etc' } }, 400, V, 'repoPath'],
  ['PATCH /projects/{projectId}', 'createdAt cannot be changed', { body: { createdAt: '2020-01-01T00:00:00.000Z' } }, 400, V, 'createdAt'],
  ['PATCH /projects/{projectId}', 'defaultBranch "-x"', { body: { defaultBranch: '-x' } }, 400, V, 'defaultBranch'],
  ['PATCH /projects/{projectId}', 'defaultBranch "a..b"', { body: { defaultBranch: 'a..b' } }, 400, V, 'defaultBranch'],
  ['PATCH /projects/{projectId}', 'defaultBranch "has space"', { body: { defaultBranch: 'has space' } }, 400, V, 'defaultBranch'],
  ['PATCH /projects/{projectId}', 'defaultBranch does not exist', { body: { defaultBranch: 'nope' } }, 422, NO_BRANCH, 'nope'],
  ['PATCH /projects/{projectId}', 'maxConcurrentAttempts is a boolean', { body: { maxConcurrentAttempts: true } }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /projects/{projectId}', 'maxConcurrentAttempts is 1001', { body: { maxConcurrentAttempts: 1001 } }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /projects/{projectId}', 'setupScript is an array', { body: { setupScript: ['make'] } }, 400, V, 'setupScript'],
  ['PATCH /projects/{projectId}', 'setupScript has 100001 characters', { body: { setupScript: long(100_001) } }, 400, V, 'setupScript'],
  ['PATCH /projects/{projectId}', 'remoteUrl has 2049 characters', { body: { remoteUrl: long(2049) } }, 400, V, 'remoteUrl'],
  ['PATCH /projects/{projectId}', 'defaultExecutor is not installed', { body: { defaultExecutor: 'no-such-agent' } }, 422, NO_EXECUTOR, 'no-such-agent'],
  ['PATCH /projects/{projectId}', 'defaultProfile does not exist', { body: { defaultProfile: 'no-such-profile' } }, 404, NO_PROFILE, 'no-such-profile'],
  ['PATCH /projects/{projectId}', 'defaultExecutor and defaultProfile both', { body: { defaultExecutor: 'script', defaultProfile: 'x' } }, 400, V, 'not both'],
  ['PATCH /projects/{projectId}', 'autoMerge is "yes"', { body: { autoMerge: 'yes' } }, 400, V, 'autoMerge'],
  ['DELETE /projects/{projectId}', 'a task id as project id', { path: '/projects/$task' }, 404, NOT_FOUND, '$task'],

  // ── tasks ─────────────────────────────────────────────────────────────────────────────────
  ['POST /tasks', 'title is missing', { body: { projectId: '$project' } }, 400, V, 'title'],
  ['POST /tasks', 'projectId is missing', { body: { title: 'x' } }, 400, V, 'projectId'],
  ['POST /tasks', 'projectId is not a UUID', { body: { projectId: 'not-a-uuid', title: 'x' } }, 400, V, 'projectId'],
  ['POST /tasks', 'projectId is a number', { body: { projectId: 123, title: 'x' } }, 400, V, 'projectId'],
  ['POST /tasks', 'projectId is unknown', { body: { projectId: '$random', title: 'x' } }, 422, UNPROCESSABLE, '$random'],
  ['POST /tasks', 'projectId is a task id', { body: { projectId: '$task', title: 'x' } }, 422, UNPROCESSABLE, '$task'],
  ['POST /tasks', 'title is a number', { body: { projectId: '$project', title: 5 } }, 400, V, 'title'],
  ['POST /tasks', 'title is an array', { body: { projectId: '$project', title: ['x'] } }, 400, V, 'title'],
  ['POST /tasks', 'title is an object', { body: { projectId: '$project', title: { en: 'x' } } }, 400, V, 'title'],
  ['POST /tasks', 'title is a boolean', { body: { projectId: '$project', title: true } }, 400, V, 'title'],
  ['POST /tasks', 'title is empty', { body: { projectId: '$project', title: '' } }, 400, V, 'title'],
  ['POST /tasks', 'title has 600 characters', { body: { projectId: '$project', title: long(600) } }, 400, V, 'title'],
  ['POST /tasks', 'description is a number', { body: { projectId: '$project', title: 'x', description: 5 } }, 400, V, 'description'],
  ['POST /tasks', 'description has 100001 characters', { body: { projectId: '$project', title: 'x', description: long(100_001) } }, 400, V, 'description'],
  ['POST /tasks', 'status is not a status', { body: { projectId: '$project', title: 'x', status: 'bogus' } }, 400, V, 'status'],
  ['POST /tasks', 'priority is a word', { body: { projectId: '$project', title: 'x', priority: 'high' } }, 400, V, 'priority'],
  ['POST /tasks', 'priority is 1.5', { body: { projectId: '$project', title: 'x', priority: 1.5 } }, 400, V, 'priority'],
  ['POST /tasks', 'priority is 1001', { body: { projectId: '$project', title: 'x', priority: 1001 } }, 400, V, 'priority'],
  ['POST /tasks', 'autoStart is "yes"', { body: { projectId: '$project', title: 'x', autoStart: 'yes' } }, 400, V, 'autoStart'],
  ['POST /tasks', 'parentTaskId is not a UUID', { body: { projectId: '$project', title: 'x', parentTaskId: 'x' } }, 400, V, 'parentTaskId'],
  ['POST /tasks', 'parentTaskId is unknown', { body: { projectId: '$project', title: 'x', parentTaskId: '$random' } }, 422, UNPROCESSABLE, '$random'],
  ['POST /tasks', 'parentTaskId is an attempt id', { body: { projectId: '$project', title: 'x', parentTaskId: '$done' } }, 422, UNPROCESSABLE, '$done'],
  ['GET /tasks', 'one good and one bad status', { query: 'status=todo&status=bogus' }, 400, V, 'status'],
  ['GET /tasks', 'status as an array key', { query: 'status[]=todo' }, 400, V, 'status'],
  ['GET /tasks', 'limit given twice', { query: 'limit=1&limit=2' }, 400, V, 'limit'],
  ['GET /tasks/{taskId}', 'a project id as task id', { path: '/tasks/$project' }, 404, NOT_FOUND, '$project'],
  ['PATCH /tasks/{taskId}', 'no change at all', { body: {} }, 400, V],
  ['PATCH /tasks/{taskId}', 'title is a number', { body: { title: 5 } }, 400, V, 'title'],
  ['PATCH /tasks/{taskId}', 'title is null', { body: { title: null } }, 400, V, 'title'],
  ['PATCH /tasks/{taskId}', 'title is blank', { body: { title: '   ' } }, 400, V, 'title'],
  ['PATCH /tasks/{taskId}', 'title has 600 characters', { body: { title: long(600) } }, 400, V, 'title'],
  ['PATCH /tasks/{taskId}', 'status is not a status', { body: { status: 'bogus' } }, 400, V, 'status'],
  ['PATCH /tasks/{taskId}', 'status is null', { body: { status: null } }, 400, V, 'status'],
  ['PATCH /tasks/{taskId}', 'priority is a word', { body: { priority: 'high' } }, 400, V, 'priority'],
  ['PATCH /tasks/{taskId}', 'priority is a boolean', { body: { priority: true } }, 400, V, 'priority'],
  ['PATCH /tasks/{taskId}', 'priority is -1001', { body: { priority: -1001 } }, 400, V, 'priority'],
  ['PATCH /tasks/{taskId}', 'parentTaskId is not a UUID', { body: { parentTaskId: 'not-a-uuid' } }, 400, V, 'parentTaskId'],
  ['PATCH /tasks/{taskId}', 'parentTaskId is the task itself', { body: { parentTaskId: '$task' } }, 422, UNPROCESSABLE, 'parent'],
  ['PATCH /tasks/{taskId}', 'parentTaskId is unknown', { body: { parentTaskId: '$random' } }, 422, UNPROCESSABLE, '$random'],
  ['PATCH /tasks/{taskId}', 'projectId cannot be changed', { body: { projectId: '$project' } }, 400, V, 'projectId'],
  ['PATCH /tasks/{taskId}', 'autoStart is "yes"', { body: { autoStart: 'yes' } }, 400, V, 'autoStart'],
  ['DELETE /tasks/{taskId}', 'a project id as task id', { path: '/tasks/$project' }, 404, NOT_FOUND, '$project'],
  ['POST /tasks', 'dependsOn is one id, not a list', { body: { projectId: '$project', title: 'x', dependsOn: '$task' } }, 400, V, 'dependsOn'],
  ['POST /tasks', 'dependsOn holds a malformed id', { body: { projectId: '$project', title: 'x', dependsOn: ['x'] } }, 400, V, 'dependsOn'],
  ['POST /tasks', 'dependsOn names a task twice', { body: { projectId: '$project', title: 'x', dependsOn: ['$task', '$task'] } }, 400, V, 'dependsOn'],
  ['POST /tasks', 'dependsOn names an unknown task', { body: { projectId: '$project', title: 'x', dependsOn: ['$random'] } }, 422, UNPROCESSABLE, '$random'],

  // ── task dependencies ─────────────────────────────────────────────────────────────────────
  ['POST /tasks/{taskId}/dependencies', 'dependsOn is missing', { body: {} }, 400, V, 'dependsOn'],
  ['POST /tasks/{taskId}/dependencies', 'dependsOn is not a UUID', { body: { dependsOn: 'x' } }, 400, V, 'dependsOn'],
  ['POST /tasks/{taskId}/dependencies', 'dependsOn is a list', { body: { dependsOn: ['$task'] } }, 400, V, 'dependsOn'],
  ['POST /tasks/{taskId}/dependencies', 'dependsOn is the task itself', { body: { dependsOn: '$task' } }, 409, 'FORGE_DEPENDENCY_CYCLE', '$task'],
  ['POST /tasks/{taskId}/dependencies', 'dependsOn is an unknown task', { body: { dependsOn: '$random' } }, 404, NOT_FOUND, '$random'],
  ['POST /tasks/{taskId}/dependencies', 'dependsOn is a project id', { body: { dependsOn: '$project' } }, 404, NOT_FOUND, '$project'],
  ['GET /tasks/{taskId}/dependencies', 'a project id as task id', { path: '/tasks/$project/dependencies' }, 404, NOT_FOUND, '$project'],
  ['DELETE /tasks/{taskId}/dependencies/{dependsOnTaskId}', 'the task waits on no such task', { path: '/tasks/$task/dependencies/$project' }, 404, NOT_FOUND, 'does not wait on'],

  // ── attempts ──────────────────────────────────────────────────────────────────────────────
  ['GET /tasks/{taskId}/attempts', 'a project id as task id', { path: '/tasks/$project/attempts' }, 404, NOT_FOUND, '$project'],
  ['POST /tasks/{taskId}/attempts', 'executor is missing', { body: { options: ok } }, 400, V, 'executor'],
  ['POST /tasks/{taskId}/attempts', 'executor is a number', { body: { executor: 5, options: ok } }, 400, V, 'executor'],
  ['POST /tasks/{taskId}/attempts', 'executor is an array', { body: { executor: ['script'], options: ok } }, 400, V, 'executor'],
  ['POST /tasks/{taskId}/attempts', 'executor is empty', { body: { executor: '', options: ok } }, 400, V, 'executor'],
  ['POST /tasks/{taskId}/attempts', 'executor has 65 characters', { body: { executor: long(65), options: ok } }, 400, V, 'executor'],
  ['POST /tasks/{taskId}/attempts', 'executor is not installed', { body: { executor: 'nope', options: ok } }, 422, NO_EXECUTOR, 'nope'],
  ['POST /tasks/{taskId}/attempts', 'profile names a member every object has', { body: { profile: 'toString' } }, 404, NO_PROFILE, 'toString'],
  ['POST /tasks/{taskId}/attempts', 'profile is __proto__', { body: { profile: '__proto__' } }, 404, NO_PROFILE, '__proto__'],
  ['POST /tasks/{taskId}/attempts', 'options is a string', { body: { executor: 'script', options: 'sleep 1' } }, 400, V, 'options'],
  ['POST /tasks/{taskId}/attempts', 'options is an array', { body: { executor: 'script', options: ['true'] } }, 400, V, 'options'],
  ['POST /tasks/{taskId}/attempts', 'script without its required command', { body: script({}) }, 400, V, 'command'],
  ['POST /tasks/{taskId}/attempts', 'script without options at all', { body: { executor: 'script' } }, 400, V, 'command'],
  ['POST /tasks/{taskId}/attempts', 'script command is a number', { body: script({ command: 1 }) }, 400, V, 'command'],
  ['POST /tasks/{taskId}/attempts', 'script command is an array', { body: script({ command: ['true'] }) }, 400, V, 'command'],
  ['POST /tasks/{taskId}/attempts', 'script command has 100001 characters', { body: script({ command: long(100_001) }) }, 400, V, 'command'],
  ['POST /tasks/{taskId}/attempts', 'an unknown script option', { body: script({ command: 'true', shell: 'bash' }) }, 400, V, 'shell'],
  ['POST /tasks/{taskId}/attempts', 'fake-agent scenario is not one of its values', { body: { executor: 'fake-agent', options: { scenario: 'nope' } } }, 400, V, 'scenario'],
  ['POST /tasks/{taskId}/attempts', 'fake-agent delayMs is negative', { body: { executor: 'fake-agent', options: { delayMs: -1 } } }, 400, V, 'delayMs'],
  ['POST /tasks/{taskId}/attempts', 'fake-agent delayMs is a word', { body: { executor: 'fake-agent', options: { delayMs: 'slow' } } }, 400, V, 'delayMs'],
  ['POST /tasks/{taskId}/attempts', 'fake-agent ignoreSigterm is "yes"', { body: { executor: 'fake-agent', options: { ignoreSigterm: 'yes' } } }, 400, V, 'ignoreSigterm'],
  ['POST /tasks/{taskId}/attempts', 'baseBranch "-x"', { body: script(ok, { baseBranch: '-x' }) }, 400, V, 'baseBranch'],
  ['POST /tasks/{taskId}/attempts', 'baseBranch "a..b"', { body: script(ok, { baseBranch: 'a..b' }) }, 400, V, 'baseBranch'],
  ['POST /tasks/{taskId}/attempts', 'baseBranch "has space"', { body: script(ok, { baseBranch: 'has space' }) }, 400, V, 'baseBranch'],
  ['POST /tasks/{taskId}/attempts', 'baseBranch is a number', { body: script(ok, { baseBranch: 5 }) }, 400, V, 'baseBranch'],
  ['POST /tasks/{taskId}/attempts', 'baseBranch does not exist', { body: script(ok, { baseBranch: 'nope' }) }, 422, NO_BRANCH, 'nope'],
  ['POST /tasks/{taskId}/attempts', 'prompt is empty', { body: script(ok, { prompt: '' }) }, 400, V, 'prompt'],
  ['POST /tasks/{taskId}/attempts', 'prompt is a number', { body: script(ok, { prompt: 5 }) }, 400, V, 'prompt'],
  ['POST /tasks/{taskId}/attempts', 'prompt has 200001 characters', { body: script(ok, { prompt: long(200_001) }) }, 400, V, 'prompt'],
  ['GET /attempts/{attemptId}', 'a task id as attempt id', { path: '/attempts/$task' }, 404, NOT_FOUND, '$task'],
  ['POST /attempts/{attemptId}/stop', 'the attempt has already finished', { path: '/attempts/$done/stop' }, 409, 'FORGE_INVALID_TRANSITION', 'succeeded'],
  ['POST /attempts/{attemptId}/stop', 'a task id as attempt id', { path: '/attempts/$task/stop' }, 404, NOT_FOUND, '$task'],
  ['POST /attempts/{attemptId}/follow-up', 'the attempt is still running', { path: '/attempts/$running/follow-up', body: { prompt: 'more' } }, 409, 'FORGE_INVALID_TRANSITION', 'running'],
  ['POST /attempts/{attemptId}/follow-up', 'prompt is missing', { body: {} }, 400, V, 'prompt'],
  ['POST /attempts/{attemptId}/follow-up', 'prompt is empty', { body: { prompt: '' } }, 400, V, 'prompt'],
  ['POST /attempts/{attemptId}/follow-up', 'prompt is null', { body: { prompt: null } }, 400, V, 'prompt'],
  ['POST /attempts/{attemptId}/follow-up', 'prompt is a number', { body: { prompt: 5 } }, 400, V, 'prompt'],
  ['POST /attempts/{attemptId}/follow-up', 'prompt is an array', { body: { prompt: ['x'] } }, 400, V, 'prompt'],
  ['POST /attempts/{attemptId}/follow-up', 'prompt has 200001 characters', { body: { prompt: long(200_001) } }, 400, V, 'prompt'],
  ['GET /attempts/{attemptId}/diff', 'a task id as attempt id', { path: '/attempts/$task/diff' }, 404, NOT_FOUND, '$task'],
  ['POST /attempts/{attemptId}/rebase', 'the attempt is still running', { path: '/attempts/$running/rebase' }, 409, CONFLICT, 'running'],
  ['POST /attempts/{attemptId}/merge', 'the attempt is still running', { path: '/attempts/$running/merge' }, 409, CONFLICT, 'running'],
  ['POST /attempts/{attemptId}/push', 'the attempt is still running', { path: '/attempts/$running/push' }, 409, CONFLICT, 'running'],
  ['POST /attempts/{attemptId}/push', 'the repository has no origin remote', { path: '/attempts/$done/push' }, 422, UNPROCESSABLE, 'origin'],
  ['POST /attempts/{attemptId}/push', 'the base, and the repository has no origin remote', { path: '/attempts/$done/push', body: { branch: 'base' } }, 422, UNPROCESSABLE, 'origin'],
  ['POST /attempts/{attemptId}/push', 'branch names a branch, not attempt or base', { path: '/attempts/$done/push', body: { branch: 'main' } }, 400, V, 'branch'],
  ['POST /attempts/{attemptId}/push', 'branch is null', { path: '/attempts/$done/push', body: { branch: null } }, 400, V, 'branch'],
  ['POST /attempts/{attemptId}/pull-request', 'the attempt is still running', { path: '/attempts/$running/pull-request' }, 409, CONFLICT, 'running'],
  ['POST /attempts/{attemptId}/pull-request', 'no code host serves the repository (no remote)', { path: '/attempts/$done/pull-request' }, 422, 'FORGE_PROVIDER_NOT_CONFIGURED', 'remote'],
  ['POST /attempts/{attemptId}/pull-request', 'draft is not a boolean', { path: '/attempts/$done/pull-request', body: { draft: 'yes' } }, 400, V, 'draft'],
  ['POST /attempts/{attemptId}/pull-request', 'the title is blank', { path: '/attempts/$done/pull-request', body: { title: '   ' } }, 400, V, 'title'],
  ['GET /attempts/{attemptId}/pull-request', 'the attempt has no pull request', { path: '/attempts/$done/pull-request' }, 404, NOT_FOUND, 'pull request'],
  ['GET /attempts/{attemptId}/pull-request', 'a task id as attempt id', { path: '/attempts/$task/pull-request' }, 404, NOT_FOUND, '$task'],
  ['POST /attempts/{attemptId}/pull-request/refresh', 'the attempt has no pull request', { path: '/attempts/$done/pull-request/refresh' }, 404, NOT_FOUND, 'pull request'],
  ['GET /git-providers', 'an unknown query parameter', { query: 'provider=github' }, 400, V, 'provider'],
  ['GET /attempts/{attemptId}/processes', 'a task id as attempt id', { path: '/attempts/$task/processes' }, 404, NOT_FOUND, '$task'],
  ['GET /attempts/{attemptId}/wait', 'a task id as attempt id', { path: '/attempts/$task/wait' }, 404, NOT_FOUND, '$task'],
  ['GET /attempts/{attemptId}/wait', 'timeoutSeconds past ten minutes', { path: '/attempts/$done/wait', query: 'timeoutSeconds=601' }, 400, V, 'timeoutSeconds'],
  ['GET /attempts/{attemptId}/wait', 'tolerated: a finished attempt answers at once', { path: '/attempts/$done/wait', query: 'timeoutSeconds=600' }, 200],
  ['GET /attempts/{attemptId}/diff', 'includePatch is not a boolean', { path: '/attempts/$done/diff', query: 'includePatch=maybe' }, 400, V, 'includePatch'],
  ['GET /attempts/{attemptId}/logs', 'tail is not a boolean', { query: 'tail=last' }, 400, V, 'tail'],
  ['GET /attempts/{attemptId}/logs', 'limit given twice', { query: 'limit=1&limit=2' }, 400, V, 'limit'],
  ['GET /attempts/{attemptId}/logs', 'a task id as attempt id', { path: '/attempts/$task/logs' }, 404, NOT_FOUND, '$task'],
  ['GET /attempts/{attemptId}/logs/stream', 'limit is not a parameter of the stream', { query: 'limit=5' }, 400, V, 'limit'],
  ['GET /attempts/{attemptId}/logs/stream', 'a task id as attempt id', { path: '/attempts/$task/logs/stream' }, 404, NOT_FOUND, '$task'],
  ['GET /attempts/{attemptId}/logs/stream', 'tolerated: a nonsense Last-Event-ID replays from the start', { headers: { 'last-event-id': '../../etc' }, sse: 'end' }, 200],
  ['GET /attempts/{attemptId}/logs/replay', 'speed given twice', { query: 'speed=1&speed=2' }, 400, V, 'speed'],
  ['GET /attempts/{attemptId}/logs/replay', 'the attempt is still running', { path: '/attempts/$running/logs/replay' }, 409, CONFLICT, '/logs/stream'],
  ['GET /attempts/{attemptId}/logs/replay', 'a task id as attempt id', { path: '/attempts/$task/logs/replay' }, 404, NOT_FOUND, '$task'],
  ['GET /attempts/{attemptId}/logs/replay', 'tolerated: a nonsense Last-Event-ID replays from the start', { query: 'speed=max', headers: { 'last-event-id': '../../etc' }, sse: 'end' }, 200],
  ['GET /attempts/{attemptId}/logs/export', 'a task id as attempt id', { path: '/attempts/$task/logs/export' }, 404, NOT_FOUND, '$task'],
  ['POST /attempts/{attemptId}/dev-server', 'the project has no dev script', { path: '/attempts/$running/dev-server' }, 422, UNPROCESSABLE, 'devScript'],
  ['POST /attempts/{attemptId}/dev-server', 'a task id as attempt id', { path: '/attempts/$task/dev-server' }, 404, NOT_FOUND, '$task'],
  ['GET /attempts/{attemptId}/dev-server', 'no dev server has run in it', { path: '/attempts/$done/dev-server' }, 404, NOT_FOUND, '/dev-server'],
  ['DELETE /attempts/{attemptId}/dev-server', 'no dev server has run in it', { path: '/attempts/$done/dev-server' }, 404, NOT_FOUND, '$done'],

  // ── routes that take no input: junk is ignored, never a 500 ─────────────────────────────────
  ['GET /health', 'tolerated: an unknown query parameter', { query: 'bogus=1' }, 200],
  ['GET /plugins', 'tolerated: an unknown query parameter', { query: 'bogus=1' }, 200],
  ['GET /features', 'tolerated: an unknown query parameter', { query: 'bogus=1' }, 200],
  ['GET /queue', 'tolerated: an unknown query parameter', { query: 'bogus=1' }, 200],

  // ── the queue's caps ──────────────────────────────────────────────────────────────────────
  ['PATCH /queue', 'an empty change', { body: {} }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /queue', 'maxConcurrentAttempts is 0', { body: { maxConcurrentAttempts: 0 } }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /queue', 'maxConcurrentAttempts is 1001', { body: { maxConcurrentAttempts: 1001 } }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /queue', 'maxConcurrentAttempts is 2.5', { body: { maxConcurrentAttempts: 2.5 } }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /queue', 'maxConcurrentAttempts is a word', { body: { maxConcurrentAttempts: 'many' } }, 400, V, 'maxConcurrentAttempts'],
  ['PATCH /queue', 'executors is a list', { body: { executors: ['script'] } }, 400, V, 'executors'],
  ['PATCH /queue', 'an executor id in capitals', { body: { executors: { Script: 2 } } }, 400, V, 'Script'],
  ['PATCH /queue', "an executor's cap is negative", { body: { executors: { script: -1 } } }, 400, V, 'script'],
  ['PATCH /queue', 'an executor that is not installed', { body: { executors: { 'no-such-agent': 2 } } }, 422, 'FORGE_EXECUTOR_NOT_FOUND', 'no-such-agent'],
  ['PATCH /queue', 'a field it does not take', { body: { perProject: {} } }, 400, V, 'perProject'],

  // ── executors ─────────────────────────────────────────────────────────────────────────────
  ['GET /executors', 'refresh given twice', { query: 'refresh=true&refresh=false' }, 400, V, 'refresh'],
  ['GET /executors', 'tolerated: refresh in capitals', { query: 'refresh=TRUE' }, 200],

  // ── approvals ─────────────────────────────────────────────────────────────────────────────
  ['GET /approvals', 'state is not a state', { query: 'state=waiting' }, 400, V, 'state'],
  ['GET /approvals', 'two states', { query: 'state=pending&state=denied' }, 400, V, 'state'],
  ['GET /approvals', 'attemptId is a name', { query: 'attemptId=latest' }, 400, V, 'attemptId'],
  ['GET /approvals/{approvalId}', 'a task id as approval id', { path: '/approvals/$task' }, 404, NOT_FOUND, '$task'],
  ['POST /approvals/{approvalId}', 'decision is missing', { path: '/approvals/$random', body: {} }, 400, V, 'decision'],
  ['POST /approvals/{approvalId}', 'decision is "yes"', { path: '/approvals/$random', body: { decision: 'yes' } }, 400, V, 'decision'],
  ['POST /approvals/{approvalId}', 'decision is a boolean', { path: '/approvals/$random', body: { decision: true } }, 400, V, 'decision'],
  ['POST /approvals/{approvalId}', 'scope is "forever"', { path: '/approvals/$random', body: { decision: 'approve', scope: 'forever' } }, 400, V, 'scope'],
  ['POST /approvals/{approvalId}', 'reason is 10,001 characters', { path: '/approvals/$random', body: { decision: 'deny', reason: long(10_001) } }, 400, V, 'reason'],
  ['POST /approvals/{approvalId}', 'attemptId is malformed', { path: '/approvals/$random', body: { decision: 'approve', attemptId: 'x' } }, 400, V, 'attemptId'],
  ['POST /approvals/{approvalId}', 'an attempt id as approval id', { path: '/approvals/$done', body: { decision: 'approve' } }, 404, NOT_FOUND, '$done'],

  // ── executor profiles ─────────────────────────────────────────────────────────────────────
  ['GET /executor-profiles', 'tolerated: an unknown query parameter', { query: 'bogus=1' }, 200],
  ['GET /executor-profiles/{name}', 'a name with a slash (encoded)', { path: '/executor-profiles/a%2Fb' }, 400, V, 'name'],
  ['PUT /executor-profiles/{name}', 'executor is missing', { path: '/executor-profiles/p1', body: { options: {} } }, 400, V, 'executor'],
  ['PUT /executor-profiles/{name}', 'executor is not an id', { path: '/executor-profiles/p1', body: { executor: 'Fake Agent' } }, 400, V, 'executor'],
  ['PUT /executor-profiles/{name}', 'options is a list', { path: '/executor-profiles/p1', body: { executor: 'script', options: [] } }, 400, V, 'options'],
  ['PUT /executor-profiles/{name}', 'an option the executor does not take', { path: '/executor-profiles/p1', body: { executor: 'script', options: { colour: 'red' } } }, 400, V, 'colour'],
  ['PUT /executor-profiles/{name}', 'description is 1,001 characters', { path: '/executor-profiles/p1', body: { executor: 'script', description: long(1001) } }, 400, V, 'description'],
  ['DELETE /executor-profiles/{name}', 'a name never made', { path: '/executor-profiles/never-made' }, 404, NO_PROFILE, 'never-made'],

  // ── plugins ───────────────────────────────────────────────────────────────────────────────
  ['POST /plugins', 'source is missing', { body: {} }, 400, V, 'source'],
  ['POST /plugins', 'source is a number', { body: { source: 7 } }, 400, V, 'source'],
  ['POST /plugins', 'source is blank', { body: { source: '  ' } }, 400, V, 'source'],
  ['POST /plugins', 'source has 4097 characters', { body: { source: long(4097) } }, 400, V, 'source'],
  ['POST /plugins', 'source is a git URL', { body: { source: 'git+https://example.invalid/p.git' } }, 400, V, 'npm package name'],
  ['POST /plugins', 'source is an http URL', { body: { source: 'https://example.invalid/p.tgz' } }, 400, V, 'npm package name'],
  ['POST /plugins', 'source is a shell command', { body: { source: 'pack; rm -rf /' } }, 400, V, 'npm package name'],
  ['POST /plugins', 'source is a plain file, not a tarball', { body: { source: '$file' } }, 422, UNPROCESSABLE, 'tarball'],
  ['POST /plugins', 'source is a folder with no package.json', { body: { source: '$repo2' } }, 422, UNPROCESSABLE, 'package.json'],
  ['POST /plugins', 'source is a relative path to nothing', { body: { source: '../../no/such/pack' } }, 422, UNPROCESSABLE, 'No file or folder'],
  ['DELETE /plugins/{name}', 'a built-in pack, which was never installed', { path: `/plugins/${encodeURIComponent('@forge-core/executor-script')}` }, 404, NOT_FOUND, 'forgecore plugins add'],
  ['DELETE /plugins/{name}', 'a name with 215 characters', { path: `/plugins/${long(215)}` }, 400, V, 'name'],
  ['POST /plugins/{name}/enable', 'no pack has this name', { path: '/plugins/forge-executor-nothing/enable' }, 404, NOT_FOUND, 'forge-executor-nothing'],
  ['POST /plugins/{name}/enable', 'a scoped name with its slash unencoded', { path: '/plugins/@forge-core/executor-script/enable' }, 404, NO_ROUTE],
  ['POST /plugins/{name}/disable', 'no pack has this name', { path: '/plugins/forge-executor-nothing/disable' }, 404, NOT_FOUND, 'forge-executor-nothing'],
  ['POST /plugins/{name}/disable', 'a name in upper case', { path: '/plugins/Forge/disable' }, 400, V, 'name'],
  ['GET /events', 'tolerated: a nonsense Last-Event-ID gets a resync event', { query: 'bogus=1', headers: { 'last-event-id': 'not-an-event-id' }, sse: 'resync' }, 200],
  ['GET /events', 'tolerated: a Last-Event-ID from another boot gets a resync event', { headers: { 'last-event-id': 'zzzz-999999999999' }, sse: 'resync' }, 200],

  // ── webhooks ──────────────────────────────────────────────────────────────────────────────
  ['POST /webhooks', 'url is missing', { body: { eventTypes: ['*'] } }, 400, V, 'url'],
  ['POST /webhooks', 'url is not a URL', { body: { url: 'hooks', eventTypes: ['*'] } }, 400, V, 'url'],
  ['POST /webhooks', 'url is ftp', { body: { url: 'ftp://93.184.216.34/', eventTypes: ['*'] } }, 400, V, 'url'],
  ['POST /webhooks', 'url carries a password', { body: { url: 'https://u:p@93.184.216.34/', eventTypes: ['*'] } }, 400, V, 'password'],
  ['POST /webhooks', 'url is loopback', { body: { url: 'http://127.0.0.1:8080/', eventTypes: ['*'] } }, 422, 'FORGE_WEBHOOK_TARGET_REFUSED', '127.0.0.1'],
  ['POST /webhooks', 'url is the cloud metadata address', { body: { url: 'http://169.254.169.254/latest/meta-data/', eventTypes: ['*'] } }, 422, 'FORGE_WEBHOOK_TARGET_REFUSED', 'link-local'],
  ['POST /webhooks', 'url is a name resolving to loopback', { body: { url: 'http://localhost:8080/', eventTypes: ['*'] } }, 422, 'FORGE_WEBHOOK_TARGET_REFUSED', 'localhost'],
  ['POST /webhooks', 'eventTypes is missing', { body: { url: 'https://93.184.216.34/' } }, 400, V, 'eventTypes'],
  ['POST /webhooks', 'eventTypes is empty', { body: { url: 'https://93.184.216.34/', eventTypes: [] } }, 400, V, 'eventTypes'],
  ['POST /webhooks', 'an event type that is none', { body: { url: 'https://93.184.216.34/', eventTypes: ['task.exploded'] } }, 400, V, 'task.*'],
  ['POST /webhooks', 'a project event, which webhooks do not carry', { body: { url: 'https://93.184.216.34/', eventTypes: ['project.created'] } }, 400, V, 'eventTypes'],
  ['POST /webhooks', 'secret is 15 characters', { body: { url: 'https://93.184.216.34/', eventTypes: ['*'], secret: long(15) } }, 400, V, 'secret'],
  ['POST /webhooks', 'active is "yes"', { body: { url: 'https://93.184.216.34/', eventTypes: ['*'], active: 'yes' } }, 400, V, 'active'],
  ['GET /webhooks', 'limit given twice', { query: 'limit=1&limit=2' }, 400, V, 'limit'],
  ['GET /webhooks/{webhookId}', 'a task id as webhook id', { path: '/webhooks/$task' }, 404, NOT_FOUND, '$task'],
  ['PATCH /webhooks/{webhookId}', 'no change at all', { body: {} }, 400, V],
  ['PATCH /webhooks/{webhookId}', 'url is private', { body: { url: 'http://10.0.0.1/' } }, 422, 'FORGE_WEBHOOK_TARGET_REFUSED', '10.0.0.1'],
  ['PATCH /webhooks/{webhookId}', 'eventTypes is a string', { body: { eventTypes: '*' } }, 400, V, 'eventTypes'],
  ['PATCH /webhooks/{webhookId}', 'secret is null', { body: { secret: null } }, 400, V, 'secret'],
  ['DELETE /webhooks/{webhookId}', 'a task id as webhook id', { path: '/webhooks/$task' }, 404, NOT_FOUND, '$task'],
  ['GET /webhooks/{webhookId}/deliveries', 'state is not a state', { query: 'state=delivered' }, 400, V, 'state'],
  ['GET /webhooks/{webhookId}/deliveries', 'a task id as webhook id', { path: '/webhooks/$task/deliveries' }, 404, NOT_FOUND, '$task'],
  ['GET /webhooks/{webhookId}/deliveries/{deliveryId}', 'a delivery the subscription does not have', { path: '/webhooks/$webhook/deliveries/$task' }, 404, NOT_FOUND, '$task'],
  ['POST /webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', 'a delivery the subscription does not have', { path: '/webhooks/$webhook/deliveries/$random/redeliver' }, 404, NOT_FOUND, '$random'],

  // ── no such route ─────────────────────────────────────────────────────────────────────────
  [UNKNOWN, 'GET /api/v1/nope', { method: 'GET', path: '/nope' }, 404, NO_ROUTE],
  [UNKNOWN, 'PUT /api/v1/projects', { method: 'PUT', path: '/projects', body: { name: 'x' } }, 404, NO_ROUTE],
  [UNKNOWN, 'DELETE /api/v1/projects (the collection)', { method: 'DELETE', path: '/projects' }, 404, NO_ROUTE],
  [UNKNOWN, 'PATCH /api/v1/tasks (the collection)', { method: 'PATCH', path: '/tasks', body: { status: 'done' } }, 404, NO_ROUTE],
  [UNKNOWN, 'DELETE /api/v1/attempts/{unknown id}', { method: 'DELETE', path: '/attempts/$random' }, 404, NO_ROUTE],
  [UNKNOWN, 'POST /api/v1/health', { method: 'POST', path: '/health' }, 404, NO_ROUTE],
  [UNKNOWN, 'GET /api/v1/projects/ (trailing slash)', { method: 'GET', path: '/projects/' }, 404, NO_ROUTE],
  [UNKNOWN, 'GET /api/v1/projects/{id}/tasks', { method: 'GET', path: '/projects/$project/tasks' }, 404, NO_ROUTE],
  [UNKNOWN, 'GET /api/v1/projects/../../etc/passwd (dot segments resolved by the client)', { method: 'GET', path: '/projects/../../etc/passwd' }, 404, NO_ROUTE],
  [UNKNOWN, 'GET /api/v2/projects', { method: 'GET', path: '/api/v2/projects', root: true }, 404, NO_ROUTE],
  [UNKNOWN, 'GET /', { method: 'GET', path: '/', root: true }, 404, NO_ROUTE],
  [UNKNOWN, 'GET /api/v1', { method: 'GET', path: '/api/v1', root: true }, 404, NO_ROUTE],
];

const handWritten: Case[] = TABLE.map(([route, name, req, status, code, mention]) => ({ route, name, req, status, code, mention, generated: false }));
const allCases: Case[] = [...generatedCases(), ...handWritten];

/** A message a person can act on: a few words, no joi or JavaScript leftovers. */
function assertHumanMessage(message: unknown, where: string): void {
  assert.equal(typeof message, 'string', `error.message is a string (${where})`);
  const text = (message as string).trim();
  assert.ok(text.length >= 15 && text.split(/\s+/).length >= 3, `error.message should be a sentence a person can act on, got ${JSON.stringify(message)} (${where})`);
  assert.doesNotMatch(text, /""|\[object Object\]|\bundefined\b|\bNaN\b|\n\s+at /, `error.message has leftovers in ${JSON.stringify(message)} (${where})`);
}

describe('API: bad input on every route gets a 4xx with the error body, never a 500', function () {
  let server: TestServer;
  let dirs: ReturnType<typeof tempDir>;
  const fixtures: Record<string, string> = {};

  const substitute = (text: string) =>
    text.replace(/\$(project|task|done|running|random|repo2|repo|emptyRepo|file|subdir|missing|webhook)\b/g, (token, name: string) => {
      const value = fixtures[name];
      if (value === undefined) throw new Error(`fixture ${token} is not set up`);
      return value;
    });

  before(async function () {
    this.timeout(60_000);
    dirs = tempDir('forge-bad-input-');
    server = await startTestServer();
    fixtures.repo = makeRepo(join(dirs.path, 'app'), { 'README.md': '# app\n', 'src/main.txt': 'one\n' });
    fixtures.repo2 = makeRepo(join(dirs.path, 'other'));
    fixtures.emptyRepo = join(dirs.path, 'empty');
    mkdirSync(fixtures.emptyRepo);
    git(fixtures.emptyRepo, 'init', '-q');
    fixtures.file = join(dirs.path, 'plain.txt');
    writeFileSync(fixtures.file, 'not a repository\n');
    fixtures.subdir = join(fixtures.repo, 'src');
    fixtures.missing = join(dirs.path, 'does', 'not', 'exist');
    fixtures.random = randomUUID();

    const project = await server.request('POST', '/projects', { name: 'app', repoPath: fixtures.repo });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    fixtures.project = project.body.id;
    const task = await server.request('POST', '/tasks', { projectId: fixtures.project, title: 'Bad input target' });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    fixtures.task = task.body.id;
    // Approval events only: nothing in this run makes a delivery to its (public, unreachable) address.
    const webhook = await server.request('POST', '/webhooks', { url: 'https://93.184.216.34/hooks', eventTypes: ['approval.*'] });
    assert.equal(webhook.status, 201, JSON.stringify(webhook.body));
    fixtures.webhook = webhook.body.id;

    const done = await server.request('POST', `/tasks/${fixtures.task}/attempts`, { executor: 'script', options: { command: 'echo done > out.txt' } });
    assert.equal(done.status, 202, JSON.stringify(done.body));
    const finished = await server.waitForAttempt(done.body.id);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
    fixtures.done = finished.id;

    const running = await server.request('POST', `/tasks/${fixtures.task}/attempts`, { executor: 'script', options: { command: 'sleep 3600' } });
    assert.equal(running.status, 202, JSON.stringify(running.body));
    fixtures.running = running.body.id;
    await server.waitFor(async () => (await server.request('GET', `/attempts/${fixtures.running}`)).body.state === 'running');
  });

  after(async function () {
    this.timeout(30_000);
    if (server) {
      // Should already be stopped by the last test; this is for a run that failed before it.
      if (fixtures.running) await server.request('POST', `/attempts/${fixtures.running}/stop`).catch(() => undefined);
      await server.close();
    }
    dirs?.cleanup();
  });

  async function send(c: Case): Promise<{ method: string; url: string; status: number; contentType: string; text: string; body: any }> {
    const route = specRoutes.find((r) => r.key === c.route);
    const method = c.req.method ?? route?.method;
    const path = c.req.path ?? (route ? fillParams(route.path) : undefined);
    assert.ok(method && path, `case "${c.name}" names its method and path`);
    const url = `${server.url}${c.req.root ? '' : API_PREFIX}${substitute(path)}${c.req.query !== undefined ? `?${substitute(c.req.query)}` : ''}`;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (c.req.form !== undefined) {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(c.req.form)) {
        if (typeof value === 'string' || typeof value === 'number') form.set(key, substitute(String(value)));
      }
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (c.req.raw !== undefined) body = substitute(c.req.raw);
      else if (c.req.body !== undefined) body = substitute(JSON.stringify(c.req.body));
      if (body !== undefined) headers['content-type'] = 'application/json';
    }
    for (const [name, value] of Object.entries(c.req.headers ?? {})) headers[name] = substitute(value);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      const response = await fetch(url, { method, headers, body, signal: controller.signal });
      const contentType = response.headers.get('content-type') ?? '';
      let text = '';
      if (contentType.startsWith('text/event-stream')) {
        // Read until the expected event (or the stream ends); the timer bounds the wait.
        const decoder = new TextDecoder();
        const wanted = new RegExp(`^event: ${c.req.sse ?? '\\w+'}$`, 'm');
        try {
          for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
            text += decoder.decode(chunk, { stream: true });
            if (wanted.test(text)) break;
          }
        } catch (error) {
          if ((error as Error).name !== 'AbortError') throw error;
        }
      } else {
        text = await response.text();
      }
      let parsed: any;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = undefined;
      }
      return { method, url, status: response.status, contentType, text, body: parsed };
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  it('names every bad field of a part in one answer, not only the first', async () => {
    const answer = await server.request('POST', '/tasks', { projectId: 'x', title: 7, priority: 'high', autoStart: 'maybe' });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.error.details.problems.map((p: { path: string }) => p.path).sort(), ['autoStart', 'priority', 'projectId', 'title']);
  });

  it('has hand-written cases for every route in spec/openapi.json, and a generic case for every body and query parameter', () => {
    const routes = readSpecRoutes();
    const keys = routes.map((r) => r.key);
    assert.ok(keys.length >= 25, `the spec lists the routes (${keys.length})`);
    const covered = new Set(handWritten.map((c) => c.route));
    assert.deepEqual(keys.filter((k) => !covered.has(k)), [], 'routes in spec/openapi.json without hand-written bad-input cases');
    assert.deepEqual([...covered].filter((k) => k !== UNKNOWN && !keys.includes(k)), [], 'cases for routes that are not in spec/openapi.json');
    assert.deepEqual(routes.filter((r) => r.hasBody && !HARMLESS_BODY[r.key]).map((r) => r.key), [], 'routes with a body but no HARMLESS_BODY entry');
    const queryParams = new Set(routes.flatMap((r) => r.queryParams));
    assert.deepEqual([...queryParams].filter((p) => !BAD_QUERY_VALUES[p]), [], 'query parameters without BAD_QUERY_VALUES');
    for (const route of routes) {
      const takesInput = route.hasBody || route.pathParams.length > 0 || route.queryParams.length > 0;
      if (takesInput) assert.ok(allCases.some((c) => c.route === route.key && c.status >= 400), `${route.key} has a case expecting a 4xx`);
    }
  });

  for (const c of allCases) {
    const route = specRoutes.find((r) => r.key === c.route);
    it(`${c.route === UNKNOWN ? '' : `${c.route}: `}${c.name} → ${c.status}`, async () => {
      const res = await send(c);
      const where = `${res.method} ${res.url.length > 200 ? `${res.url.slice(0, 200)}…` : res.url} answered ${res.status} ${res.text.slice(0, 600)}`;
      assert.ok(res.status < 500, `a server error: ${where}`);
      assert.equal(res.status, c.status, where);
      if (c.status < 400) {
        assert.equal(res.body?.error, undefined, where);
        if (c.req.sse) assert.match(res.text, new RegExp(`^event: ${c.req.sse}$`, 'm'), where);
        return;
      }
      assert.match(res.contentType, /^application\/json/, where);
      assert.equal(typeof res.body?.error, 'object', `the error body: ${where}`);
      assert.match(res.body.error.code, /^FORGE_[A-Z_]+$/, where);
      if (c.code) assert.equal(res.body.error.code, c.code, where);
      assertHumanMessage(res.body.error.message, where);
      if (c.mention) assert.ok(res.body.error.message.includes(substitute(c.mention)), `the message names "${substitute(c.mention)}": ${where}`);
      if (route && res.status !== 413 && res.status !== 415) {
        assert.ok(route.statuses.includes(res.status), `${res.status} is documented for ${route.key} in spec/openapi.json (has ${route.statuses.join(', ')})`);
      }
    });
  }

  it('stops the long-running attempt once, then answers 409 to stopping it again', async () => {
    const stopped = await server.request('POST', `/attempts/${fixtures.running}/stop`);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.state, 'cancelled');
    const again = await server.request('POST', `/attempts/${fixtures.running}/stop`);
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'FORGE_INVALID_TRANSITION');
    assert.deepEqual([again.body.error.details.state, again.body.error.details.allowed], ['cancelled', ['queued']]);
    assertHumanMessage(again.body.error.message, 'stop twice');
  });

  it('still answers GET /health afterwards, with nothing left running', async () => {
    const health = await server.request('GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    assert.equal(health.body.runningAttempts, 0);
    const { body: tasks } = await server.request('GET', `/tasks?projectId=${fixtures.project}`);
    assert.deepEqual(tasks.items.map((t: { id: string }) => t.id), [fixtures.task], 'no bad request created a task');
    const { body: projects } = await server.request('GET', '/projects');
    assert.deepEqual(projects.items.map((p: { id: string }) => p.id), [fixtures.project], 'no bad request created a project');
    const { body: attempts } = await server.request('GET', `/tasks/${fixtures.task}/attempts`);
    assert.deepEqual(attempts.items.map((a: { id: string }) => a.id), [fixtures.done, fixtures.running], 'no bad request started an attempt');
  });
});
