import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const execFileAsync = promisify(execFile);
const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));

interface PublishedManifest {
  exports: Record<string, string | { types: string; default: string }>;
  [field: string]: unknown;
}

describe('the publishable SDK build', () => {
  let temp: string;
  let out: string;
  let manifest: PublishedManifest;

  before(async () => {
    temp = await mkdtemp(join(tmpdir(), 'forge-sdk-build-'));
    // Built straight into a node_modules folder, so the checks below resolve it by its name.
    out = join(temp, 'node_modules', '@forge-core', 'sdk');
    await execFileAsync(process.execPath, ['--import', 'tsx', join(SDK_DIR, 'scripts', 'build.ts'), out], { cwd: SDK_DIR });
    manifest = JSON.parse(await readFile(join(out, 'package.json'), 'utf8')) as PublishedManifest;
  });

  after(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('maps every subpath of the source package to built JavaScript and declarations', async () => {
    const source = JSON.parse(await readFile(join(SDK_DIR, 'package.json'), 'utf8')) as { exports: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.exports), Object.keys(source.exports));
    if (existsSync(join(SDK_DIR, 'src', 'testing', 'index.ts'))) assert.ok(manifest.exports['./testing'], 'the conformance kit is exported');
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue;
      assert.ok(typeof target === 'object', subpath);
      assert.ok(existsSync(join(out, target.types)) && existsSync(join(out, target.default)), `${subpath}: ${JSON.stringify(target)}`);
      assert.match(target.default, /\.js$/);
    }
  });

  it('has a declaration file for every JavaScript file, no TypeScript sources and no dependencies', async () => {
    const files = (await readdir(out, { recursive: true })).map(String);
    const js = files.filter((f) => f.endsWith('.js'));
    assert.ok(js.includes('index.js'));
    for (const file of js) assert.ok(files.includes(file.replace(/\.js$/, '.d.ts')), `${file} has declarations`);
    assert.deepEqual(
      files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
      [],
    );
    for (const field of ['dependencies', 'peerDependencies', 'devDependencies', 'scripts']) assert.equal(manifest[field], undefined, field);
  });

  it('runs in plain node, without tsx, through the package exports', async () => {
    const subpaths = Object.keys(manifest.exports).filter((s) => s !== './package.json');
    const script = `
      const exported = {};
      for (const subpath of ${JSON.stringify(subpaths)}) {
        const module = await import('@forge-core/sdk' + subpath.slice(1));
        exported[subpath] = Object.fromEntries(Object.entries(module).map(([name, value]) => [name, typeof value]));
      }
      const sdk = await import('@forge-core/sdk');
      const done = sdk.checkExecutorEvent({ type: 'done', status: 'succeeded' }).ok;
      const broken = sdk.checkExecutorEvent({ type: 'done', status: 'maybe' }).message;
      console.log(JSON.stringify({ exported, version: sdk.SDK_CONTRACT_VERSION, done, broken }));
    `;
    const env = { ...process.env, NODE_OPTIONS: '' };
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '--eval', script], { cwd: temp, env });
    const result = JSON.parse(stdout) as { exported: Record<string, Record<string, string>>; version: string; done: boolean; broken: string };
    for (const name of ['definePack', 'defineExecutor', 'defineGitProvider', 'checkExecutorEvent', 'checkPackManifest']) {
      assert.equal(result.exported['.']![name], 'function', name);
    }
    assert.equal(result.version, (await import('../src/index.ts')).SDK_CONTRACT_VERSION);
    assert.equal(result.done, true);
    assert.match(result.broken, /^done event: at status: must be one of/);
  });

  it('gives a TypeScript consumer the types of the contract', async () => {
    const consumer = join(temp, 'consumer.mts');
    await writeFile(
      consumer,
      [
        "import { checkExecutorEvent, definePack, type ExecutorEvent } from '@forge-core/sdk';",
        "const event: ExecutorEvent = { type: 'done', status: 'succeeded' };",
        'const check = checkExecutorEvent(event);',
        "export const status: 'succeeded' | 'failed' | 'cancelled' | undefined = check.ok && check.event.type === 'done' ? check.event.status : undefined;",
        'export const pack = definePack({});',
        "// @ts-expect-error a status the contract does not have",
        "export const wrong: ExecutorEvent = { type: 'done', status: 'maybe' };",
      ].join('\n'),
    );
    const program = ts.createProgram([consumer], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      // Checking @types/node would take seconds; a declaration that fails to resolve still
      // shows here, as a missing export or as the unused @ts-expect-error of an `any`.
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [fileURLToPath(new URL('../../node_modules/@types', import.meta.url))],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  });
});
