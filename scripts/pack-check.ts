/**
 * `npm run pack:check` (CI, after `npm test`): the packages as a user gets them. Packs and
 * checks the tarballs, installs them into an empty folder outside the repository, proves the
 * install uses nothing of the repository, serves from there, runs an attempt with the offline
 * fake agent and reads its diff, then runs `npx forgecore` there and `npm exec --package=…` from
 * another empty folder (what `npx @forge-core/core` does once it is published). Every wait is
 * bounded; every step prints its duration.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { makeRepo } from '../core/test/support/git-repo.ts';
import { freeLocalPort } from '../core/src/runtime/dev-server-port.ts';
import { REPOSITORY_ROOT } from './build-inputs.mjs';

/** The repository's own install-script policy (package.json), given to the empty folder's project too. */
const INSTALL_SCRIPT_POLICY = (() => {
  const { allowScripts, scarfSettings } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean>; scarfSettings: unknown };
  return { allowScripts, scarfSettings };
})();
import { buildIfStale, packPackages, packTable, type PackedPackage } from './publishing/pack-packages.ts';

const run = promisify(execFile);

// Backstops only: each wait ends as soon as its condition holds. An install compiles
// better-sqlite3 when its prebuilt binary cannot be downloaded, about 90 s on this 2-core machine.
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const HEALTHY_TIMEOUT_MS = 60_000;
const ATTEMPT_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 30_000;

const durations: [step: string, ms: number][] = [];

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  console.log(`▸ ${name}`);
  const result = await work();
  const ms = performance.now() - started;
  durations.push([name, ms]);
  console.log(`✔ ${name} (${(ms / 1000).toFixed(1)} s)`);
  return result;
}

const inside = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

/**
 * The environment of everything started here: this one without what ties a process to the
 * repository. `npm run` exports the repository as npm's local prefix (a child npm would install
 * there), puts its node_modules/.bin first on PATH, and NODE_PATH would let Node find its packages.
 */
function detachedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'NODE_PATH' || name === 'INIT_CWD' || name === 'npm_config_local_prefix') continue;
    if (name.startsWith('npm_') && !name.startsWith('npm_config_')) continue;
    env[name] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '' && !inside(entry, REPOSITORY_ROOT))
    .join(delimiter);
  return env;
}

/** Fails naming every package of the install that resolves outside `app`. */
function assertResolvesInside(app: string, packages: readonly PackedPackage[]): void {
  const core = realpathSync(join(app, 'node_modules', '@forge-core', 'core'));
  const fromCore = createRequire(join(core, 'package.json'));
  const outside: string[] = [];
  for (const { name } of packages) {
    const dir = realpathSync(fromCore.resolve(`${name}/package.json`).replace(/[/\\]package\.json$/, ''));
    if (!inside(dir, app)) outside.push(`${name} → ${dir}`);
  }
  const bin = realpathSync(join(app, 'node_modules', '.bin', 'forgecore'));
  if (!inside(bin, app)) outside.push(`forgecore → ${bin}`);
  if (outside.length > 0) throw new Error(`the install resolves outside ${app}:\n  ${outside.join('\n  ')}`);
}

interface Server {
  child: ChildProcess;
  url: string;
  output(): string;
}

async function serve(app: string, home: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freeLocalPort();
  const child = spawn(join(app, 'node_modules', '.bin', 'forgecore'), ['serve'], {
    cwd: app,
    env: { ...env, FORGE_HOME: home, FORGE_HOST: '127.0.0.1', FORGE_PORT: String(port), FORGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const server = { child, url: `http://127.0.0.1:${port}/api/v1`, output: () => output };
  await waitFor('the server answers /health', HEALTHY_TIMEOUT_MS, async () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`forgecore serve exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    return fetch(`${server.url}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then((response) => response.ok, () => false);
  });
  return server;
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | false | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function request(server: Server, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Stops the server by its pid: SIGTERM, and SIGKILL if it has not exited within the bound. */
async function stop(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The folders of npm's npx cache, where `npm exec --package` installs. */
async function npxFolders(env: NodeJS.ProcessEnv): Promise<Set<string>> {
  const cache = (await run('npm', ['config', 'get', 'cache'], { env, timeout: COMMAND_TIMEOUT_MS })).stdout.trim();
  const npx = join(cache, '_npx');
  return new Set(existsSync(npx) ? readdirSync(npx).map((name) => join(npx, name)) : []);
}

const work = realpathSync(mkdtempSync(join(tmpdir(), 'forge-pack-check-')));
if (inside(work, REPOSITORY_ROOT)) throw new Error(`the temporary folder ${work} is inside the repository; set TMPDIR elsewhere`);
const [packs, app, home, repo, elsewhere] = ['packs', 'app', 'home', 'repo', 'elsewhere'].map((name) => join(work, name)) as [string, string, string, string, string];
const env = detachedEnv();
let server: Server | undefined;
let failed = false;
try {
  await step('build (when stale)', () => buildIfStale(REPOSITORY_ROOT));
  const packages = await step('pack and check the tarballs', async () => {
    const { packages, violations } = await packPackages(REPOSITORY_ROOT, packs);
    console.log(packTable(packages));
    if (violations.length > 0) throw new Error(`the tarballs must not be published:\n  ${violations.join('\n  ')}`);
    return packages;
  });
  const tarballs = packages.map((pack) => pack.file);
  const core = packages.find((pack) => pack.name === '@forge-core/core');
  if (!core) throw new Error('no tarball of @forge-core/core was packed');

  await step('npm install the tarballs into an empty folder', async () => {
    mkdirSync(app);
    await run('npm', ['init', '-y'], { cwd: app, env, timeout: COMMAND_TIMEOUT_MS });
    // What a user's project says to npm (12 and later block install scripts not listed): the
    // SQLite driver builds, swagger-ui-dist's install-time analytics (@scarf/scarf) never run.
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ ...manifest, ...INSTALL_SCRIPT_POLICY }, null, 2));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: app, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  });
  await step('the install resolves every package from its own folder', async () => assertResolvesInside(app, packages));

  server = await step('forgecore serve from the install', () => serve(app, home, env));
  const running = server;
  await step('the packs load from the install', async () => {
    const { items } = (await request(running, 'GET', '/plugins')) as { items: { name: string; path: string; status: string }[] };
    const outside = items.filter((pack) => !inside(realpathSync(pack.path), app));
    if (outside.length > 0) throw new Error(`packs loaded from outside the install: ${outside.map((pack) => `${pack.name} (${pack.path})`).join(', ')}`);
    const fake = items.find((pack) => pack.name === '@forge-core/executor-fake-agent');
    if (fake?.status !== 'loaded') throw new Error(`the fake agent pack is not loaded: ${JSON.stringify(fake)}`);
    console.log(`  ${items.length} packs, all under ${app}`);
  });
  await step('an attempt with the fake agent succeeds and has a diff', async () => {
    makeRepo(repo);
    const project = await request(running, 'POST', '/projects', { name: 'pack-check', repoPath: repo });
    const task = await request(running, 'POST', '/tasks', { projectId: project.id, title: 'Greet', description: 'write hello.txt Hello from the packages' });
    const started = await request(running, 'POST', `/tasks/${task.id}/attempts`, { executor: 'fake-agent' });
    const attempt = await waitFor('the attempt ends', ATTEMPT_TIMEOUT_MS, async () => {
      const current = await request(running, 'GET', `/attempts/${started.id}`);
      return ['succeeded', 'failed', 'cancelled'].includes(current.state) ? current : undefined;
    });
    if (attempt.state !== 'succeeded') throw new Error(`the attempt ended ${attempt.state}: ${JSON.stringify(attempt.error)}`);
    const diff = await request(running, 'GET', `/attempts/${attempt.id}/diff`);
    if (diff.files.length === 0 || !diff.patch.includes('+Hello from the packages')) throw new Error(`the diff is not the agent's work: ${JSON.stringify(diff)}`);
    console.log(`  ${diff.files.map((file: { path: string; change: string }) => `${file.change} ${file.path}`).join(', ')}`);
  });
  await step('stop the server', async () => {
    await stop(running);
    console.log(`  exited with ${running.child.exitCode ?? running.child.signalCode}`);
  });

  await step('npx forgecore --version in the install', async () => {
    const { stdout } = await run('npx', ['forgecore', '--version'], { cwd: app, env, timeout: COMMAND_TIMEOUT_MS });
    if (stdout.trim() !== core.version) throw new Error(`npx forgecore --version printed ${JSON.stringify(stdout)}, expected ${core.version}`);
  });
  await step('npm exec --package=<every tarball> -- forgecore --version from another empty folder', async () => {
    mkdirSync(elsewhere);
    const before = await npxFolders(env);
    try {
      const packageFlags = tarballs.map((tarball) => `--package=${tarball}`);
      const allowScripts = `--allow-scripts=${Object.keys(INSTALL_SCRIPT_POLICY.allowScripts).filter((name) => INSTALL_SCRIPT_POLICY.allowScripts[name]).join(',')}`;
      const { stdout } = await run('npm', ['exec', '--yes', '--no-audit', '--no-fund', '--prefer-offline', allowScripts, ...packageFlags, '--', 'forgecore', '--version'], {
        cwd: elsewhere,
        env,
        timeout: INSTALL_TIMEOUT_MS,
      });
      if (stdout.trim() !== core.version) throw new Error(`npm exec … forgecore --version printed ${JSON.stringify(stdout)}, expected ${core.version}`);
    } finally {
      // npm keeps what it installed for npm exec in its cache; remove only the folders this run
      // made, known by the tarball paths (relative, so by this run's unique folder name) they name.
      for (const folder of await npxFolders(env)) {
        const manifest = join(folder, 'package.json');
        if (!before.has(folder) && existsSync(manifest) && readFileSync(manifest, 'utf8').includes(basename(work))) rmSync(folder, { recursive: true, force: true });
      }
    }
  });
} catch (error) {
  failed = true;
  console.error(`\n✘ ${(error as Error).message}`);
  if (server) console.error(`\nThe server's output:\n${server.output()}`);
} finally {
  if (server) await stop(server);
  rmSync(work, { recursive: true, force: true });
}

console.log('\nstep durations:');
for (const [name, ms] of durations) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
console.log(`  ${(durations.reduce((sum, [, ms]) => sum + ms, 0) / 1000).toFixed(1).padStart(6)} s  total`);
process.exit(failed ? 1 : 0);
