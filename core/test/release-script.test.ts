import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { migrations } from '../../migrations/index.ts';
import { git } from './support/git-repo.ts';
import { tempDir } from './support/temp-dir.ts';
import { WORKSPACE_ROOT } from './support/workspace-root.ts';

const run = promisify(execFile);

const CHANGELOG = `# Changelog

## Unreleased

### Added

- Packages ready to publish.

## 0.0.9 — 2026-11-01

- The first cut.
`;

/** The files the release reads: every workspace's package.json, the lockfile, the SDK's version constant, the migrations. */
function copyWorkspace(root: string): void {
  const copy = (file: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(WORKSPACE_ROOT, file), join(root, file));
  };
  for (const file of ['package.json', 'package-lock.json', 'sdk/src/version.ts']) copy(file);
  for (const pattern of JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')).workspaces as string[]) {
    const dirs = pattern.endsWith('/*') ? readdirSync(join(WORKSPACE_ROOT, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`) : [pattern];
    for (const dir of dirs) {
      try {
        copy(`${dir}/package.json`);
      } catch {
        // A folder without a package.json is no workspace.
      }
    }
  }
  cpSync(join(WORKSPACE_ROOT, 'migrations'), join(root, 'migrations'), { recursive: true });
  writeFileSync(join(root, 'CHANGELOG.md'), CHANGELOG);
}

/** Every file under `root` and its content: what a run must leave as it was. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && !entry.parentPath.includes('.git')) files.set(relative(root, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

const today = () => new Date().toISOString().slice(0, 10);

describe('the release script', function () {
  this.timeout(60_000);
  let root: ReturnType<typeof tempDir>;
  const json = (file: string) => JSON.parse(readFileSync(join(root.path, file), 'utf8'));
  const read = (file: string) => readFileSync(join(root.path, file), 'utf8');

  async function release(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(WORKSPACE_ROOT, 'scripts', 'release.ts'), ...args], {
        cwd: WORKSPACE_ROOT,
        env: { ...process.env, FORGE_RELEASE_ROOT: root.path },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeEach(() => {
    root = tempDir('forge-release-');
    copyWorkspace(root.path);
  });
  afterEach(() => root.cleanup());

  it('moves the server and every first-party pack to the next minor, with the pins between them, the lockfile and the changelog; the SDK stays', async () => {
    const acpBefore = read('plugins/executor-acp/package.json');
    const date = today();
    const { code, stdout, stderr } = await release('minor', '--no-pack');
    assert.equal(code, 0, stderr);

    const core = json('core/package.json');
    assert.equal(core.version, '0.2.0');
    const firstParty = Object.entries(core.dependencies as Record<string, string>).filter(([name]) => name.startsWith('@forge-core/'));
    assert.ok(firstParty.length > 10);
    for (const [name, pin] of firstParty) assert.equal(pin, name === '@forge-core/sdk' ? '1.3.0' : '0.2.0', name);
    const fake = json('plugins/executor-fake-agent/package.json');
    assert.equal(fake.version, '0.2.0');
    assert.deepEqual(fake.dependencies, { '@forge-core/executor-claude-code': '0.2.0', '@forge-core/sdk': '1.3.0' });
    assert.equal(json('git-providers/gitlab/package.json').version, '0.2.0');
    assert.equal(json('sdk/package.json').version, '1.3.0');
    assert.equal(json('package.json').version, '0.2.0', 'the workspace carries the product version');
    assert.equal(json('examples/executor-minimal/package.json').peerDependencies['@forge-core/sdk'], '^1.0.0', 'ranges stay');
    assert.equal(read('plugins/executor-acp/package.json'), acpBefore.replace('"version": "0.1.0"', '"version": "0.2.0"'), 'a hand-formatted manifest keeps its layout');
    assert.equal(read('sdk/src/version.ts'), readFileSync(join(WORKSPACE_ROOT, 'sdk/src/version.ts'), 'utf8'));

    const lock = json('package-lock.json');
    assert.equal(lock.version, '0.2.0');
    assert.equal(lock.packages[''].version, '0.2.0');
    assert.equal(lock.packages.core.version, '0.2.0');
    assert.equal(lock.packages.core.dependencies['@forge-core/executor-fake-agent'], '0.2.0');
    assert.deepEqual(lock.packages['plugins/executor-fake-agent'].dependencies, fake.dependencies);
    // npm itself finds nothing to change in the lockfile against the bumped manifests.
    await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: root.path });
    assert.deepEqual(json('package-lock.json'), lock);

    const heading = read('CHANGELOG.md').split('\n')[4]!;
    assert.ok([`## 0.2.0 — ${date}`, `## 0.2.0 — ${today()}`].includes(heading), heading);
    assert.equal(read('CHANGELOG.md'), CHANGELOG.replace('## Unreleased\n', `## Unreleased\n\n${heading}\n`));

    assert.match(stdout, /^Release 0\.2\.0\n/);
    assert.match(stdout, /@forge-core\/sdk\s+1\.3\.0\s+1\.3\.0 \(unchanged\)/);
    assert.match(stdout, /@forge-core\/executor-fake-agent\s+0\.1\.0\s+0\.2\.0/);
    assert.ok(stdout.includes(`Migrations (migrations/index.ts): ${migrations.length}, newest ${migrations.at(-1)![0]}\n  every one has a down\n  no earlier release tag`));
    assert.ok(stdout.includes('Artifacts: not packed (--no-pack)'));
    const publishes = [...stdout.matchAll(/npm publish --access public \S+\/forge-core-(\S+)-\d+\.\d+\.\d+\.tgz/g)].map((match) => match[1]);
    assert.equal(publishes.length, firstParty.length + 1);
    assert.equal(publishes[0], 'sdk');
    assert.equal(publishes.at(-1), 'core');
    assert.ok(publishes.indexOf('executor-claude-code') < publishes.indexOf('executor-fake-agent'), 'a pack after the pack it depends on');
  });

  it('with --sdk moves the SDK, every exact pin on it and its contract constant, and names the ranges that no longer accept it', async () => {
    const { code, stdout, stderr } = await release('1.0.0', '--sdk', 'major', '--no-pack');
    assert.equal(code, 0, stderr);
    assert.equal(json('sdk/package.json').version, '2.0.0');
    assert.equal(json('core/package.json').dependencies['@forge-core/sdk'], '2.0.0');
    assert.equal(json('plugins/executor-fake-agent/package.json').dependencies['@forge-core/sdk'], '2.0.0');
    assert.equal(json('package-lock.json').packages.sdk.version, '2.0.0');
    assert.equal(json('package-lock.json').packages.core.dependencies['@forge-core/sdk'], '2.0.0');
    assert.match(read('sdk/src/version.ts'), /export const SDK_CONTRACT_VERSION = '2\.0\.0';/);
    assert.ok(stdout.includes('! plugins/executor-fake-agent/package.json: forge.sdk ^1.0.0 does not accept the SDK 2.0.0; the host would refuse this pack'));
    assert.ok(stdout.includes('! examples/executor-minimal/package.json: peerDependencies @forge-core/sdk@^1.0.0 does not accept 2.0.0'));
    assert.ok(stdout.includes('! sdk/src/version.ts: CONTRACT_MAJOR stays 1 while the SDK becomes 2.0.0'));
    assert.match(stdout, /@forge-core\/sdk\s+1\.3\.0\s+2\.0\.0\n/);
    assert.ok(!stdout.includes('(skip when'), 'a new SDK is published, not skipped');
  });

  it('with --dry-run prints the same checklist and writes nothing', async () => {
    const before = snapshot(root.path);
    const dry = await release('minor', '--dry-run', '--no-pack');
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(snapshot(root.path), before);
    const real = await release('minor', '--no-pack');
    assert.equal(real.code, 0, real.stderr);
    assert.equal(dry.stdout.replace(' — dry run: nothing was written', '').replace('Files it would change', 'Files changed'), real.stdout);
    assert.notDeepEqual(snapshot(root.path), before);
  });

  it('says which migrations are new since the previous release tag, and which have no down', async () => {
    const index = (entries: string[]) =>
      `const up = async () => {};\nconst down = async () => {};\nexport const migrations = [\n${entries.join('\n')}\n];\n`;
    const first = "  ['20260101000001_first', { up, down }],";
    const second = "  ['20260101000002_second', { up }],";
    writeFileSync(join(root.path, 'migrations', 'index.ts'), index([first]));
    git(root.path, 'init', '-q', '-b', 'main');
    git(root.path, 'add', '-A');
    git(root.path, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', 'v0.1.0');
    git(root.path, 'tag', 'v0.1.0');
    writeFileSync(join(root.path, 'migrations', 'index.ts'), index([first, second]));

    const { code, stdout, stderr } = await release('patch', '--dry-run', '--no-pack');
    assert.equal(code, 0, stderr);
    assert.ok(
      stdout.includes(
        'Migrations (migrations/index.ts): 2, newest 20260101000002_second\n' +
          '  WITHOUT a down (no rollback past them): 20260101000002_second\n' +
          '  added since v0.1.0: 20260101000002_second',
      ),
      stdout,
    );
  });

  it('refuses a version that is not ahead, a word it does not know and an empty Unreleased section, writing nothing', async () => {
    const before = snapshot(root.path);
    const cases: [string[], RegExp][] = [
      [['0.1.0', '--no-pack'], /^release: @forge-core\/core: 0\.1\.0 is not after the current 0\.1\.0\n$/],
      [['soon', '--no-pack'], /^release: @forge-core\/core: "soon" is neither a version \(e\.g\. 1\.4\.0\) nor major, minor or patch\n$/],
      [['minor', '--sdk', '1.2.0', '--no-pack'], /^release: @forge-core\/sdk: 1\.2\.0 is not after the current 1\.3\.0\n$/],
      [[], /^release: usage: npm run release -- <version\|major\|minor\|patch>/],
      [['minor', '--frobnicate'], /^release: Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await release(...args);
      assert.equal(code, 1, args.join(' '));
      assert.match(stderr, message);
    }
    writeFileSync(join(root.path, 'CHANGELOG.md'), '# Changelog\n\n## Unreleased\n\n## 0.0.9 — 2026-11-01\n\n- The first cut.\n');
    const emptied = snapshot(root.path);
    const { code, stderr } = await release('minor', '--no-pack');
    assert.equal(code, 1);
    assert.equal(stderr, 'release: CHANGELOG.md: "## Unreleased" is empty; write what 0.2.0 changes first\n');
    assert.deepEqual(snapshot(root.path), emptied);
    assert.deepEqual(new Map([...snapshot(root.path)].filter(([file]) => file !== 'CHANGELOG.md')), new Map([...before].filter(([file]) => file !== 'CHANGELOG.md')));
  });
});
