#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=2 --heap-growing-percent=50
// `forgecore` in the repository: runs the compiled build (build/current) — what an install of
// the packages runs — and builds it first when there is none or a source changed since.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT, buildState, builtScopeDir } from '../../scripts/build-inputs.mjs';

const WHY = {
  missing: 'there is no build yet',
  incomplete: 'the build is missing a package',
  stale: 'the sources changed since the last build',
};

const state = buildState();
if (state !== 'fresh') {
  process.stderr.write(`forgecore: ${WHY[state]}; building (npm run build)…\n`);
  // The build's output goes to stderr: stdout is the command's (JSON, or MCP's JSON-RPC).
  const built = spawnSync(process.execPath, ['--import', 'tsx', join(REPOSITORY_ROOT, 'scripts', 'build.ts'), '--if-stale'], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 2, 2],
  });
  if (built.status !== 0) {
    process.stderr.write('forgecore: the build failed (above); fix it, then run `npm run build`.\n');
    process.exit(1);
  }
}
const entry = join(builtScopeDir(), 'core', 'bin', 'forge.js');
try {
  await import(pathToFileURL(entry).href);
} catch (error) {
  // A build folder someone emptied by hand: say what to do instead of a stack.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(join(REPOSITORY_ROOT, 'build'))) throw error;
  process.stderr.write(`forgecore: the build under build/ is damaged (${error.message.split('\n')[0]}); run \`npm run build\`.\n`);
  process.exit(1);
}
