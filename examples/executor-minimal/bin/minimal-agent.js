#!/usr/bin/env node
// @ts-check
// The agent this pack runs: a stand-in for a real agent CLI, small enough to read in a minute.
// It reads the prompt on stdin and carries out its lines `write <path> <text>` (replace the file)
// and `append <path> <text>` (add a line to it), inside its working directory only. It prints
// one JSON object a line — start {session}, say {text}, edit {path, created}, then
// end {ok, summary} or end {ok: false, error} — and exits 0 on success, 1 otherwise.
// `--session <id>` continues a session (a real agent would reload its conversation);
// `--dry-run` says what it would change and changes nothing.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** @param {Record<string, unknown>} message */
const print = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** @param {string} file */
function isInsideCwd(file) {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * @param {string} prompt
 * @param {{ session: string, dryRun: boolean }} how
 * @returns {number} the exit code
 */
function carryOut(prompt, { session, dryRun }) {
  print({ type: 'start', session });
  const edits = [...prompt.matchAll(/^[ \t]*(write|append)[ \t]+(\S+)[ \t]?(.*)$/gm)];
  if (edits.length === 0) {
    print({ type: 'end', ok: false, error: 'The prompt asks for nothing I can do; give lines such as "write notes.txt Hello".' });
    return 1;
  }
  for (const [, verb, file = '', text] of edits) {
    if (!isInsideCwd(file)) {
      print({ type: 'end', ok: false, error: `Refusing to ${verb} ${file}: it is outside the working directory.` });
      return 1;
    }
    print({ type: 'say', text: `${dryRun ? 'Would' : 'Going to'} ${verb} ${file}.` });
    if (dryRun) continue;
    const created = !existsSync(file);
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    (verb === 'write' ? writeFileSync : appendFileSync)(file, `${text}\n`);
    print({ type: 'edit', path: file, created });
  }
  const files = [...new Set(edits.map(([, , file]) => file))].join(', ');
  print({ type: 'end', ok: true, summary: dryRun ? `Would change ${files}` : `Change ${files}` });
  return 0;
}

const args = process.argv.slice(2);
const sessionAt = args.indexOf('--session');
let prompt = '';
for await (const chunk of process.stdin) prompt += chunk;
// exitCode, not exit(): the lines printed above must reach the pipe first.
process.exitCode = carryOut(prompt, { session: sessionAt === -1 ? randomUUID() : String(args[sessionAt + 1]), dryRun: args.includes('--dry-run') });
