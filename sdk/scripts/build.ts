import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Builds the publishable @forge-core/sdk into one folder (default sdk/dist, or the folder given
 * as the first argument): ESM JavaScript with declarations, a package.json whose exports point at
 * them, and the README. The workspace itself keeps running the TypeScript sources; this is what
 * `npm publish <folder>` ships to pack authors who do not run TypeScript.
 */

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(process.argv[2] ?? join(SDK_DIR, 'dist'));

/** Compiles src/ with the workspace's own compiler options, so the build is as strict as the typecheck. */
function compile(): void {
  const root = ts.readConfigFile(join(SDK_DIR, '..', 'tsconfig.json'), ts.sys.readFile);
  if (root.error) throw new Error(ts.flattenDiagnosticMessageText(root.error.messageText, '\n'));
  const config = ts.parseJsonConfigFileContent(
    {
      compilerOptions: {
        ...root.config.compilerOptions,
        noEmit: false,
        // Sources import "./x.ts"; the emitted files must import "./x.js".
        allowImportingTsExtensions: false,
        rewriteRelativeImportExtensions: true,
        declaration: true,
        rootDir: 'src',
        outDir,
      },
      include: ['src/**/*.ts'],
    },
    ts.sys,
    SDK_DIR,
  );
  const program = ts.createProgram(config.fileNames, config.options);
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => SDK_DIR, getNewLine: () => '\n' };
    throw new Error(`the SDK does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

/** sdk/package.json as published: each "./src/x.ts" export becomes its JavaScript and declarations. */
function publishedManifest(source: Record<string, unknown>): Record<string, unknown> {
  // Scripts and dev dependencies serve the workspace; the published package drops them.
  const { exports, scripts, devDependencies, ...rest } = source as { exports: Record<string, string> } & Record<string, unknown>;
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    if (rest[field] !== undefined) throw new Error(`sdk/package.json has ${field}: the SDK must not depend on anything at run time`);
  }
  const published: Record<string, unknown> = {};
  for (const [subpath, target] of Object.entries(exports)) {
    if (!target.endsWith('.ts')) {
      published[subpath] = target;
      continue;
    }
    if (!target.startsWith('./src/')) throw new Error(`sdk/package.json#exports["${subpath}"] points outside src/: ${target}`);
    const base = `./${target.slice('./src/'.length, -'.ts'.length)}`;
    published[subpath] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  // A scoped package is private on the registry unless published as public.
  return { ...rest, exports: published, publishConfig: { access: 'public' } };
}

await rm(outDir, { recursive: true, force: true });
compile();
const manifest = publishedManifest(JSON.parse(await readFile(join(SDK_DIR, 'package.json'), 'utf8')));
await writeFile(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
if (existsSync(join(SDK_DIR, 'README.md'))) await copyFile(join(SDK_DIR, 'README.md'), join(outDir, 'README.md'));
console.log(`built @forge-core/sdk into ${outDir}`);
