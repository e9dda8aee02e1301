import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STAMP_NAME, buildInputs, buildState, builtScopeDir, currentBuildDir, inputsDigest, inputsFingerprint, readStamp } from '../../scripts/build-inputs.mjs';
import { tempDir } from './support/temp-dir.ts';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';

const BUILT = builtScopeDir();

/** A checkout in miniature: the SDK, the server, one pack, one package that is not a pack. */
function miniatureCheckout(root: string): void {
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('LICENSE', 'MIT');
  write('package-lock.json', '{}');
  write('sdk/package.json', '{"name":"@forge-core/sdk"}');
  write('sdk/src/index.ts', 'export const a = 1;');
  write('sdk/test/index.test.ts', 'test');
  write('core/package.json', '{"name":"@forge-core/core"}');
  write('core/src/main.ts', 'export {};');
  write('plugins/executor-x/package.json', '{"name":"@forge-core/executor-x","forge":{}}');
  write('plugins/executor-x/src/index.ts', 'export default {};');
  write('git-providers/not-a-pack/package.json', '{"name":"helper"}');
  write('git-providers/not-a-pack/src/index.ts', 'export {};');
  write('migrations/0001.ts', 'export {};');
}

/** What a build of the miniature records: its stamp, and its one built package. */
function stamp(root: string): void {
  const files = buildInputs(root);
  mkdirSync(join(currentBuildDir(root), 'node_modules', '@forge-core', 'sdk'), { recursive: true });
  writeFileSync(join(currentBuildDir(root), 'node_modules', '@forge-core', 'sdk', 'package.json'), '{}');
  const record = { digest: inputsDigest(files, root), fingerprint: inputsFingerprint(files, root), builtAt: 'then', packages: ['@forge-core/sdk'] };
  writeFileSync(join(currentBuildDir(root), STAMP_NAME), JSON.stringify(record));
}

describe('the build and how it knows it is stale', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('forge-build-');
    miniatureCheckout(dir.path);
  });
  afterEach(() => dir.cleanup());

  it('reads the sources of the published packages and the migrations, never tests or non-pack packages', () => {
    writeFileSync(join(dir.path, 'tsconfig.json'), '{}');
    assert.deepEqual(buildInputs(dir.path), [
      'LICENSE',
      'core/package.json',
      'core/src/main.ts',
      'migrations/0001.ts',
      'package-lock.json',
      'plugins/executor-x/package.json',
      'plugins/executor-x/src/index.ts',
      'sdk/package.json',
      'sdk/src/index.ts',
      'tsconfig.json',
    ]);
  });

  it('is missing without a build, fresh after one, and stale again when a source changes', () => {
    assert.equal(buildState(dir.path), 'missing');
    stamp(dir.path);
    assert.equal(buildState(dir.path), 'fresh');
    writeFileSync(join(dir.path, 'core', 'src', 'main.ts'), 'export const changed = true;');
    assert.equal(buildState(dir.path), 'stale');
  });

  it('is stale when a source file is added, and not when a test or an editor swap file appears', () => {
    stamp(dir.path);
    writeFileSync(join(dir.path, 'sdk', 'test', 'index.test.ts'), 'another test');
    writeFileSync(join(dir.path, 'sdk', 'src', '.index.ts.swp'), 'vim');
    writeFileSync(join(dir.path, 'sdk', 'src', 'index.ts~'), 'backup');
    assert.equal(buildState(dir.path), 'fresh');
    writeFileSync(join(dir.path, 'plugins', 'executor-x', 'src', 'new.ts'), 'export {};');
    assert.equal(buildState(dir.path), 'stale');
  });

  it('is incomplete when a package it built is gone', () => {
    stamp(dir.path);
    rmSync(join(currentBuildDir(dir.path), 'node_modules', '@forge-core', 'sdk'), { recursive: true });
    assert.equal(buildState(dir.path), 'incomplete');
  });

  it('stays fresh when only the times changed (a checkout, a touch) and records the new times', () => {
    stamp(dir.path);
    const before = readStamp(dir.path)!;
    utimesSync(join(dir.path, 'sdk', 'src', 'index.ts'), new Date(2030, 1, 1), new Date(2030, 1, 1));
    assert.equal(buildState(dir.path), 'fresh');
    const after = readStamp(dir.path)!;
    assert.equal(after.digest, before.digest);
    assert.notEqual(after.fingerprint, before.fingerprint);
  });
});

describe('the build under build/ (what `npm install` made and `npm test` refreshed)', () => {
  it('holds every published package with publish-ready manifests pointing at JavaScript', () => {
    const names = readdirSync(BUILT).sort();
    assert.ok(names.includes('core') && names.includes('sdk') && names.includes('executor-fake-agent'), names.join(', '));
    const core = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'core', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of names) {
      const manifest = JSON.parse(readFileSync(join(BUILT, name, 'package.json'), 'utf8'));
      assert.equal(manifest.private, undefined, `${name} is publishable`);
      assert.equal(manifest.devDependencies, undefined, name);
      assert.equal(manifest.publishConfig?.access, 'public', name);
      if (manifest.forge) {
        assert.match(manifest.forge.entry, /^\.\/dist\/.+\.js$/, `${name} entry`);
        assert.ok(core.dependencies[manifest.name], `the server depends on its first-party pack ${manifest.name}`);
      }
      const files = readdirSync(join(BUILT, name), { recursive: true }).map(String);
      assert.deepEqual(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')), [], `${name} ships no TypeScript sources`);
      assert.deepEqual(files.filter((f) => /(^|\/)test(\/|$)|\.test\./.test(f)), [], `${name} ships no tests`);
    }
  });

  it('runs in plain node, with no loader: the command, its version and its packs', async () => {
    const home = tempDir('forge-build-home-');
    after(() => home.cleanup());
    const env = { ...process.env, NODE_OPTIONS: '', FORGE_HOME: home.path, FORGE_PORT: '0' };
    const bin = join(BUILT, 'core', 'bin', 'forge.js');
    const version = await promisify(execFile)(process.execPath, [bin, '--version'], { env });
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'core', 'package.json'), 'utf8')).version);
    const listed = await promisify(execFile)(process.execPath, [bin, 'plugins', 'list'], { env });
    assert.match(listed.stdout, /loaded +@forge-core\/executor-fake-agent@/);
    assert.doesNotMatch(listed.stdout, /failed/);
  });

  it('loads a local TypeScript pack with the server\'s own SDK, not the copy beside the pack', async () => {
    const home = tempDir('forge-build-home-');
    const pack = tempDir('forge-build-ts-pack-');
    after(() => {
      home.cleanup();
      pack.cleanup();
    });
    const write = (path: string, text: string) => {
      mkdirSync(join(pack.path, path, '..'), { recursive: true });
      writeFileSync(join(pack.path, path), text);
    };
    write('package.json', JSON.stringify({ name: 'ts-pack', version: '1.0.0', type: 'module', forge: { manifestVersion: 1, sdk: '^1.0.0', kind: 'executor', entry: './src/index.ts', contributes: { executors: ['ts-pack'] } } }));
    write(
      'src/index.ts',
      [
        "import { defineExecutor, definePack, type ExecutorEvent } from '@forge-core/sdk';",
        "const done: ExecutorEvent = { type: 'done', status: 'succeeded' };",
        'export default definePack({ executors: [defineExecutor({',
        "  id: 'ts-pack', displayName: 'TypeScript pack', description: 'Loaded from its sources.', capabilities: { resume: false, usageReporting: false }, options: {},",
        '  async detect() { return { available: true }; },',
        '  async *run() { yield done; },',
        '})] });',
      ].join('\n'),
    );
    // The copy the pack's own folder would resolve: importing it fails the load.
    write('node_modules/@forge-core/sdk/package.json', JSON.stringify({ name: '@forge-core/sdk', version: '1.0.0', type: 'module', exports: { '.': './index.js' } }));
    write('node_modules/@forge-core/sdk/index.js', "throw new Error('the pack was given its own SDK copy');");
    const env = { ...process.env, NODE_OPTIONS: '', FORGE_HOME: home.path, FORGE_PORT: '0', FORGE_PLUGIN_PATHS: pack.path };
    const listed = await promisify(execFile)(process.execPath, [join(BUILT, 'core', 'bin', 'forge.js'), 'plugins', 'list'], { env });
    assert.match(listed.stdout, /loaded +ts-pack@1\.0\.0 +\(local\)/, listed.stdout);
  });
});

