import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';
import { makeRepo } from './support/git-repo.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { tempDir } from './support/temp-dir.ts';

const run = promisify(execFile);
const EXAMPLE = join(WORKSPACE_ROOT, 'examples', 'executor-minimal');
const NEW_NAME = 'forge-executor-renamed-by-author';
const NEW_ID = 'renamed-minimal';

async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * What the SDK README promises an author who never saw the core: copy the example, rename it,
 * run its conformance tests, `npm pack` it, `forgecore plugins add` the tarball, restart the server
 * and run an attempt with it. Every step runs the real command.
 */
describe('an author ships a pack from examples/executor-minimal', function () {
  this.timeout(180_000);
  let dirs: ReturnType<typeof tempDir>;
  let server: ServerProcess | null = null;

  before(() => (dirs = tempDir('forge-author-')));
  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    dirs.cleanup();
  });

  it('copies, renames, tests, packs, installs and runs it', async () => {
    // 1. Copy and rename: the package, and the executor id in the manifest and the code.
    const pack = join(dirs.path, 'my-pack');
    cpSync(EXAMPLE, pack, { recursive: true, filter: (source) => !source.includes('node_modules') });
    const manifestFile = join(pack, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const oldId: string = manifest.forge.contributes.executors[0];
    manifest.name = NEW_NAME;
    manifest.forge.contributes.executors = [NEW_ID];
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const entry = join(pack, manifest.forge.entry);
    const source = readFileSync(entry, 'utf8');
    assert.ok(source.includes(`'${oldId}'`), `the example's entry names its executor id '${oldId}'`);
    writeFileSync(entry, source.replaceAll(`'${oldId}'`, `'${NEW_ID}'`));

    // 2. Its dependencies, as `npm install` would fetch them. @forge-core/sdk is not on the
    // registry yet: it is built the way it will be published (JavaScript and declarations) and
    // linked in, with the workspace's mocha and tsx.
    const builtSdk = join(dirs.path, 'sdk-package');
    await run(process.execPath, ['--import', 'tsx', join(WORKSPACE_ROOT, 'sdk', 'scripts', 'build.ts'), builtSdk], { cwd: WORKSPACE_ROOT });
    const links: Record<string, string> = {
      '@forge-core/sdk': builtSdk,
      mocha: join(WORKSPACE_ROOT, 'node_modules', 'mocha'),
      tsx: join(WORKSPACE_ROOT, 'node_modules', 'tsx'),
    };
    for (const [dependency, target] of Object.entries(links)) {
      const link = join(pack, 'node_modules', dependency);
      mkdirSync(join(link, '..'), { recursive: true });
      symlinkSync(target, link, 'dir');
    }

    // 3. Its own conformance tests, from its own folder.
    const tests = await run(process.execPath, [join(pack, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--node-option', 'import=tsx', 'test/**/*.test.js'], {
      cwd: pack,
    }).catch((error: { stdout: string; stderr: string }) => assert.fail(`conformance tests failed:\n${error.stdout}\n${error.stderr}`));
    assert.match(tests.stdout, /passing/);
    assert.doesNotMatch(tests.stdout, /failing/);
    // They ran against the published build, not the workspace's TypeScript sources.
    assert.ok(existsSync(join(builtSdk, 'testing', 'index.js')));

    // 4. npm pack, then forgecore plugins add the tarball into a fresh FORGE_HOME.
    await run('npm', ['pack', '--silent'], { cwd: pack });
    const tarball = join(pack, readdirSync(pack).find((f) => f.startsWith(NEW_NAME) && f.endsWith('.tgz'))!);
    const home = join(dirs.path, 'home');
    const added = await run(process.execPath, [join(WORKSPACE_ROOT, 'core', 'bin', 'forge.js'), 'plugins', 'add', tarball], {
      env: { ...process.env, FORGE_HOME: home },
    });
    assert.match(added.stdout, new RegExp(`Installed ${NEW_NAME}@`));

    // 5. Start the server (a real `forgecore serve`) and run an attempt with the new executor.
    server = await startServerProcess(home, await freePort());
    const plugins = (await api(server.url, 'GET', '/plugins')).body.items;
    const installed = plugins.find((p: { name: string }) => p.name === NEW_NAME);
    assert.equal(installed?.status, 'loaded', JSON.stringify(installed));
    assert.equal(installed.source, 'installed');
    const repo = makeRepo(join(dirs.path, 'repo'));
    const project = (await api(server.url, 'POST', '/projects', { name: 'author', repoPath: repo })).body;
    const task = (await api(server.url, 'POST', '/tasks', { projectId: project.id, title: 'Create hello.txt', description: 'write hello.txt' })).body;
    const started = await api(server.url, 'POST', `/tasks/${task.id}/attempts`, { executor: NEW_ID });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    let attempt = started.body;
    const deadline = Date.now() + 60_000;
    while (!['succeeded', 'failed', 'cancelled'].includes(attempt.state) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      attempt = (await api(server.url, 'GET', `/attempts/${attempt.id}`)).body;
    }
    assert.equal(attempt.state, 'succeeded', JSON.stringify(attempt.error));
    assert.deepEqual(attempt.executor.package, NEW_NAME);
    const diff = (await api(server.url, 'GET', `/attempts/${attempt.id}/diff`)).body;
    assert.ok(diff.files.length > 0, 'the executor changed the worktree');
  });
});
