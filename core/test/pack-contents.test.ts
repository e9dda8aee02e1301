import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packPackages } from '../../scripts/publishing/pack-packages.ts';
import { pinViolations, tarballViolations, type PublishedManifest, type TarballFile } from '../../scripts/publishing/tarball-contents.ts';
import { tempDir } from './support/temp-dir.ts';
import { builtScopeDir } from '../../scripts/build-inputs.mjs';

// Tokens are assembled here so this file holds none a scanner of the repository would flag.
const GITHUB_TOKEN = `ghp_${'a1B2c3D4e5'.repeat(3)}a1B2c3`;
const ANTHROPIC_KEY = `sk-ant-api03-${'x'.repeat(40)}`;
const PRIVATE_KEY = `-----BEGIN ${'OPENSSH'} PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n`;

const PACK: PublishedManifest = {
  name: '@forge-core/executor-demo',
  version: '1.0.0',
  exports: { '.': './dist/index.js', './package.json': './package.json' },
  forge: { entry: './dist/index.js' },
  publishConfig: { access: 'public' },
};

const SDK: PublishedManifest = {
  name: '@forge-core/sdk',
  version: '1.3.0',
  exports: { '.': { types: './index.d.ts', default: './index.js' }, './testing': { types: './testing/index.d.ts', default: './testing/index.js' } },
  publishConfig: { access: 'public' },
};

const file = (path: string, content = 'export {};\n'): TarballFile => ({ path, content: Buffer.from(content) });

const SHIPPED = [file('package.json', '{}'), file('README.md', '# demo\n'), file('LICENSE', 'MIT\n'), file('dist/index.js'), file('dist/chunk-AB12.js')];

function violationsWith(...planted: TarballFile[]): string[] {
  return tarballViolations(PACK, [...SHIPPED, ...planted]);
}

describe('tarball contents', () => {
  it('accepts a package of manifest, README, licence and compiled code', () => {
    assert.deepEqual(violationsWith(file('bin/fake-claude.mjs', '#!/usr/bin/env node\n')), []);
  });

  it('accepts the SDK layout: compiled files and declarations where its exports point, at any depth below them', () => {
    const files = [file('package.json', '{}'), file('index.js'), file('index.d.ts'), file('testing/index.js'), file('testing/index.d.ts'), file('testing/suites/executor.js')];
    assert.deepEqual(tarballViolations(SDK, files), []);
    assert.deepEqual(tarballViolations(SDK, [...files, file('internal/helper.js')]), [
      '@forge-core/sdk: internal/helper.js: outside what a package ships (package.json, README.md, LICENSE, dist/, bin/, compiled files in the root, testing/)',
    ]);
  });

  it('refuses test files and test or fixture folders, at any depth', () => {
    assert.deepEqual(violationsWith(file('dist/index.test.js'), file('test/run.js'), file('dist/fixtures/answer.json', '{}'), file('dist/__tests__/a.js')), [
      '@forge-core/executor-demo: dist/index.test.js: a test file',
      '@forge-core/executor-demo: test/run.js: inside a test/ folder (tests and fixtures are not published)',
      '@forge-core/executor-demo: dist/fixtures/answer.json: inside a fixtures/ folder (tests and fixtures are not published)',
      '@forge-core/executor-demo: dist/__tests__/a.js: inside a __tests__/ folder (tests and fixtures are not published)',
    ]);
  });

  it('refuses TypeScript sources but not declarations', () => {
    assert.deepEqual(violationsWith(file('src/index.ts'), file('dist/index.ts'), file('dist/index.d.ts')), [
      '@forge-core/executor-demo: src/index.ts: a TypeScript source (only compiled JavaScript and .d.ts are published)',
      '@forge-core/executor-demo: dist/index.ts: a TypeScript source (only compiled JavaScript and .d.ts are published)',
    ]);
  });

  it('refuses credential files by name, whatever they hold', () => {
    assert.deepEqual(violationsWith(file('.env', 'A=1\n'), file('dist/.env.local'), file('.npmrc'), file('bin/id_ed25519'), file('dist/server.pem'), file('dist/forge.sqlite')), [
      '@forge-core/executor-demo: .env: an environment file',
      '@forge-core/executor-demo: dist/.env.local: an environment file',
      '@forge-core/executor-demo: .npmrc: an npm configuration (may hold a registry token)',
      '@forge-core/executor-demo: bin/id_ed25519: an ssh key',
      '@forge-core/executor-demo: dist/server.pem: a key or certificate file',
      '@forge-core/executor-demo: dist/forge.sqlite: a database file',
    ]);
  });

  it('refuses token-like text by kind and line, without repeating the token', () => {
    const violations = violationsWith(
      file('dist/config.js', `const a = 1;\nconst token = "${GITHUB_TOKEN}";\n`),
      file('README.md', `Set ANTHROPIC_API_KEY=${ANTHROPIC_KEY}\n`),
      file('dist/key.js', `export const key = \`${PRIVATE_KEY}\`;\n`),
    );
    assert.deepEqual(violations, [
      '@forge-core/executor-demo: dist/config.js:2: looks like a GitHub token (ghp_…)',
      '@forge-core/executor-demo: README.md:1: looks like an Anthropic API key (sk-ant-…)',
      '@forge-core/executor-demo: dist/key.js:1: looks like a private key',
    ]);
    for (const secret of [GITHUB_TOKEN, ANTHROPIC_KEY]) assert.ok(!violations.join('\n').includes(secret));
  });

  it('does not mistake code that names a token prefix for a token', () => {
    const code = "// a GitHub token (ghp_…) or a fine-grained one\nconst GITHUB = /\\bghp_[A-Za-z0-9]{36}\\b/;\nconst hint = 'glpat- tokens go in GITLAB_TOKEN';\n";
    assert.deepEqual(violationsWith(file('dist/redact.js', code)), []);
  });

  it('refuses files outside what a package ships', () => {
    assert.deepEqual(violationsWith(file('docs/guide.md', '# guide\n'), file('tsconfig.json', '{}'), file('src/index.js')), [
      '@forge-core/executor-demo: docs/guide.md: outside what a package ships (package.json, README.md, LICENSE, dist/, bin/)',
      '@forge-core/executor-demo: tsconfig.json: outside what a package ships (package.json, README.md, LICENSE, dist/, bin/)',
      '@forge-core/executor-demo: src/index.js: outside what a package ships (package.json, README.md, LICENSE, dist/, bin/)',
    ]);
  });

  it('refuses a manifest npm would not publish or would publish restricted, that runs scripts on install, or that points at missing files', () => {
    const manifest = { ...PACK, private: true, publishConfig: {}, scripts: { postinstall: 'node setup.js', test: 'mocha' }, bin: { demo: './bin/demo.js' } };
    assert.deepEqual(tarballViolations(manifest, SHIPPED), [
      '@forge-core/executor-demo: package.json: "private": true (npm refuses to publish it)',
      '@forge-core/executor-demo: package.json: no publishConfig.access "public" (a scoped package is published restricted)',
      '@forge-core/executor-demo: package.json: scripts.postinstall would run on every install',
      '@forge-core/executor-demo: package.json: points at ./bin/demo.js, which the tarball does not hold',
    ]);
  });

  it('refuses pins between the packages that do not name the version packed beside them', () => {
    const core = { name: '@forge-core/core', version: '0.2.0', dependencies: { '@forge-core/sdk': '1.3.0', '@forge-core/executor-demo': '0.1.0', '@forge-core/gone': '0.2.0', joi: '^18.0.0' } };
    const sdk = { name: '@forge-core/sdk', version: '1.3.0' };
    const demo = { name: '@forge-core/executor-demo', version: '0.2.0', peerDependencies: { '@forge-core/sdk': '^1.0.0' } };
    assert.deepEqual(pinViolations([core, sdk, demo]), [
      '@forge-core/core: dependencies pins @forge-core/executor-demo@0.1.0, but 0.2.0 is packed',
      '@forge-core/core: dependencies names @forge-core/gone, which is not among the packed packages',
      '@forge-core/executor-demo: peerDependencies pins @forge-core/sdk@^1.0.0, but 1.3.0 is packed',
    ]);
  });

  it('judges the tarballs npm packs from a build, reading long paths too', async function () {
    this.timeout(60_000);
    const root = tempDir('forge-pack-contents-');
    try {
      const scope = builtScopeDir(root.path);
      const write = (path: string, content: string) => {
        mkdirSync(dirname(join(scope, path)), { recursive: true });
        writeFileSync(join(scope, path), content);
      };
      const manifest = (name: string) =>
        JSON.stringify({ name: `@forge-core/${name}`, version: '1.0.0', type: 'module', exports: { '.': './dist/index.js' }, publishConfig: { access: 'public' } });
      // Over 100 characters a tar header splits the path in two; over 255 npm writes a pax record.
      const splitPath = `dist/${'nested-folder/'.repeat(8)}split.test.js`;
      const paxPath = `dist/${'nested-folder/'.repeat(20)}pax.test.js`;
      write('clean/package.json', manifest('clean'));
      write('clean/dist/index.js', 'export {};\n');
      write('planted/package.json', manifest('planted'));
      write('planted/dist/index.js', `export const token = '${GITHUB_TOKEN}';\n`);
      write('planted/src/index.ts', 'export {};\n');
      write('planted/test/index.test.js', 'it("runs");\n');
      write(`planted/${splitPath}`, 'it("runs");\n');
      write(`planted/${paxPath}`, 'it("runs");\n');

      const { packages, violations } = await packPackages(root.path, join(root.path, 'packs'));
      assert.deepEqual(packages.map((pack) => [pack.name, pack.entryCount]), [['@forge-core/clean', 2], ['@forge-core/planted', 6]]);
      assert.match(packages[0]!.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
      assert.match(packages[0]!.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual([...violations].sort(), [
        '@forge-core/planted: dist/index.js:1: looks like a GitHub token (ghp_…)',
        `@forge-core/planted: ${paxPath}: a test file`,
        `@forge-core/planted: ${splitPath}: a test file`,
        '@forge-core/planted: src/index.ts: a TypeScript source (only compiled JavaScript and .d.ts are published)',
        '@forge-core/planted: test/index.test.js: inside a test/ folder (tests and fixtures are not published)',
      ]);
    } finally {
      root.cleanup();
    }
  });
});
