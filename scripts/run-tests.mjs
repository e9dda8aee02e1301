#!/usr/bin/env node
/**
 * `npm test` after the build: the type check, the OpenAPI contract check and the unit tests,
 * started together (each an npm script of the root package.json), so the two checks use the CPU
 * the test files leave idle while they wait on git and child processes.
 *
 * The unit tests' output streams as it comes, a whole line at a time; each check's output is
 * held and printed in one block, between two lines of the tests', once it ends. The summary at
 * the end names each part with its outcome and time, then the tests' count as
 * `N passed, N failed`. Exits 1 if any part failed; stops them all on Ctrl-C or SIGTERM.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** The parts of `npm test`: npm scripts of the root package.json. The first streams live. */
const PARTS = ['test:unit', 'typecheck', 'spec:check'];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Writes the live part's output a whole line at a time, so that a block written between two of
 * its lines never lands inside one. What remains of a line is held until its end comes.
 */
function lineWriter(target) {
  let held = '';
  return {
    write(chunk) {
      const text = held + chunk;
      const end = text.lastIndexOf('\n') + 1;
      if (end > 0) target.write(text.slice(0, end));
      held = text.slice(end);
    },
    flush() {
      if (held) target.write(`${held}\n`);
      held = '';
    },
  };
}

/** Runs `npm run <script>`; the live one streams, the others are held and printed whole at their end. */
function runPart(script, live) {
  const started = performance.now();
  // Mocha colours only a terminal; through this pipe it is told to when the terminal is ours.
  const colour = live && process.stdout.isTTY ? ['--', '--color'] : [];
  // Its own process group, so a stop reaches the whole part: npm's shell passes no signal on.
  const child = spawn('npm', ['run', '--silent', script, ...colour], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const part = { script, child, stdout: '', held: '', ms: 0, code: null };
  const outLines = live ? lineWriter(process.stdout) : null;
  const errLines = live ? lineWriter(process.stderr) : null;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    part.stdout += chunk;
    if (live) outLines.write(chunk);
    else part.held += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    if (live) errLines.write(chunk);
    else part.held += chunk;
  });
  part.done = new Promise((resolve) => {
    const finish = (code) => {
      if (part.code !== null) return;
      outLines?.flush();
      errLines?.flush();
      part.ms = performance.now() - started;
      part.code = code;
      if (!live) {
        const outcome = code === 0 ? 'passed' : `FAILED (exit ${code})`;
        const text = part.held && !part.held.endsWith('\n') ? `${part.held}\n` : part.held;
        process.stdout.write(`\n── ${script}: ${outcome} in ${seconds(part.ms)} ──\n${text}\n`);
      }
      resolve(part);
    };
    child.once('error', (error) => {
      part.held += `could not start npm: ${error.message}\n`;
      finish(1);
    });
    child.once('close', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
  return part;
}

/** Mocha's closing counts ("  3021 passing (3m)", "  2 failing") as the plain line CI reads. */
function testCounts(coloured) {
  const lines = coloured.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  // The last "passing" line is Mocha's own: a test may print such a line before it.
  const from = lines.findLastIndex((line) => /^\s*\d+ passing\b/.test(line));
  if (from === -1) return null;
  const count = (word) => Number(lines.slice(from, from + 3).find((line) => new RegExp(`^\\s*\\d+ ${word}\\b`).test(line))?.trim().split(' ')[0] ?? 0);
  const pending = count('pending');
  return `${count('passing')} passed, ${count('failing')} failed${pending ? `, ${pending} skipped` : ''}`;
}

const started = performance.now();
const parts = PARTS.map((script, i) => runPart(script, i === 0));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const { child } of parts) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // that part has ended
      }
    }
    process.exitCode = 1;
  });
}
const finished = await Promise.all(parts.map((part) => part.done));
const failed = finished.filter((part) => part.code !== 0);
const summary = finished.map((part) => `${part.script} ${part.code === 0 ? 'passed' : 'FAILED'} (${seconds(part.ms)})`).join(', ');
process.stdout.write(`\nnpm test: ${summary}; ${seconds(performance.now() - started)} in all\n`);
const counts = testCounts(finished[0].stdout);
if (counts) process.stdout.write(`${counts}\n`);
if (failed.length > 0) process.exitCode = 1;
