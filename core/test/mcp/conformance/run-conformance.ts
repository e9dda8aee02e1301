import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against a server
 * URL for one protocol revision and reads its per-scenario results. The 2025-11-25 scenarios
 * come from the suite's latest release, the 2026-07-28 ones from its pre-release that knows that
 * revision (both pinned in package.json under their own names).
 */
export const REVISIONS = {
  '2025-11-25': { suite: 'mcp-conformance-2025', args: ['--spec-version', '2025-11-25'] },
  '2026-07-28': { suite: 'mcp-conformance-2026', args: ['--requirements', '2026-07-28'] },
} as const;
export type Revision = keyof typeof REVISIONS;

export interface ScenarioResult {
  name: string;
  /** failed: a check failed; passed: checks passed and none failed; skipped: nothing was checked (e.g. needs sessions). */
  status: 'passed' | 'failed' | 'skipped';
  /** The suite runs some scenarios of a revision without counting them (pending, or an extension). */
  scored: boolean;
  /** The checks that did not pass, with the suite's own message. */
  problems: { id: string; status: string; message: string }[];
}

export interface ConformanceRun {
  revision: Revision;
  suite: string;
  scenarios: ScenarioResult[];
  /** Over the scored scenarios. */
  passed: number;
  run: number;
}

const require = createRequire(import.meta.url);
const SHIM = fileURLToPath(new URL('./node20-fs-shim.mjs', import.meta.url));

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  errorMessage?: string;
  details?: { message?: string };
}

export async function runConformance(url: string, revision: Revision, timeoutMs = 300_000): Promise<ConformanceRun> {
  const { suite, args } = REVISIONS[revision];
  const manifest = require.resolve(`${suite}/package.json`);
  const { version, bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; bin: { conformance: string } };
  const output = mkdtempSync(join(tmpdir(), `mcp-conformance-${revision}-`));
  try {
    const stdout = await run([...(nodeHasGlobSync() ? [] : ['--import', SHIM]), join(dirname(manifest), bin.conformance), 'server', '--url', url, '-o', output, ...args], timeoutMs);
    const notScored = notScoredOf(stdout);
    const scenarios = readdirSync(output)
      .sort()
      .filter((dir) => existsSync(join(output, dir, 'checks.json')))
      .map((dir): ScenarioResult => {
        const name = dir.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '');
        const checks = JSON.parse(readFileSync(join(output, dir, 'checks.json'), 'utf8')) as Check[];
        const failed = checks.some((check) => check.status === 'FAILURE');
        return {
          name,
          status: failed ? 'failed' : checks.some((check) => check.status === 'SUCCESS') ? 'passed' : 'skipped',
          scored: !notScored.has(name),
          problems: checks
            .filter((check) => check.status !== 'SUCCESS' && check.status !== 'INFO')
            .map((check) => ({ id: check.id, status: check.status, message: check.errorMessage ?? check.details?.message ?? '' })),
        };
      });
    if (scenarios.length === 0) throw new Error(`the conformance suite wrote no results:\n${stdout.slice(-2000)}`);
    const scored = scenarios.filter((scenario) => scenario.scored);
    return { revision, suite: `@modelcontextprotocol/conformance@${version}`, scenarios, passed: scored.filter((s) => s.status === 'passed').length, run: scored.length };
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

function nodeHasGlobSync(): boolean {
  return typeof (require('node:fs') as { globSync?: unknown }).globSync === 'function';
}

/** The suite's stdout; it exits 1 when any check fails, which is a result here, not an error. */
function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) reject(new Error(`the conformance suite was stopped (${signal}) after ${timeoutMs} ms:\n${stdout.slice(-2000)}${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** The scenarios the suite lists under "Not scored for …" (the pre-release prints them apart). */
function notScoredOf(stdout: string): Set<string> {
  const section = /\nNot scored for [^\n]*\n([\s\S]*)$/.exec(stdout)?.[1] ?? '';
  return new Set([...section.matchAll(/^\s+[✓✗]\s+(\S+)\s+\(/gm)].map((match) => match[1]!));
}
