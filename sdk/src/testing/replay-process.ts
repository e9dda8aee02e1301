import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HostProcess } from '../process/host-process.ts';
import type { ProcessStarter } from './fake-run-context.ts';
import { RECORDING_GATE_SOURCE } from './recording-gate.ts';

/**
 * A child Node that plays a recording as the CLI would: stdout lines by the rules of
 * recording-gate.ts, then stderr, then the recorded exit code or signal.
 */
export const REPLAY_SCRIPT = `
const fs = require('node:fs');
${RECORDING_GATE_SOURCE}
const recording = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const gate = createRecordingGate(recording.interactive);
let inputClosed = !recording.interactive;
let buffered = '';
let next = 0;
let stderrWritten = false;
let exiting = false;
function exit() {
  if (recording.signal) process.kill(process.pid, recording.signal);
  else process.exit(recording.exitCode);
}
function pump() {
  while (next < recording.stdout.length) {
    const line = recording.stdout[next];
    if (!inputClosed && !gate.mayPrint(line)) return;
    process.stdout.write(line + '\\n');
    gate.printed(line);
    next += 1;
  }
  if (!stderrWritten) {
    stderrWritten = true;
    for (const line of recording.stderr) process.stderr.write(line + '\\n');
  }
  if (exiting || (!inputClosed && waitsForEndOfInput(recording.interactive, recording.exitCode, recording.signal))) return;
  exiting = true;
  process.stdout.write('', () => process.stderr.write('', exit));
}
process.stdin.setEncoding('utf8');
process.stdin.on('error', () => {});
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  for (let end = buffered.indexOf('\\n'); end !== -1; end = buffered.indexOf('\\n')) {
    gate.wrote(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
  }
  pump();
});
process.stdin.on('end', () => {
  if (buffered !== '') gate.wrote(buffered);
  buffered = '';
  inputClosed = true;
  pump();
});
pump();
`;

/**
 * Starts real processes through the host's own process layer (`HostProcess`), each replaying its
 * recording from a file in `dir`: what a pack meets in production, minus the agent.
 */
export function replayProcessStarter(dir: string): ProcessStarter {
  let count = 0;
  return (recording, call, signal, cwd) => {
    count += 1;
    const file = path.join(dir, `recording-${count}.json`);
    const interactive = call.options.interactive === true;
    writeFileSync(
      file,
      JSON.stringify({ stdout: recording.stdout, stderr: recording.stderr ?? [], exitCode: recording.exitCode ?? 0, signal: recording.signal ?? null, interactive }),
    );
    const child = new HostProcess(process.execPath, ['-e', REPLAY_SCRIPT, file], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...call.options.env },
      stdin: call.options.stdin,
      interactive,
    });
    if (signal.aborted) void child.stop();
    else signal.addEventListener('abort', () => void child.stop(), { once: true });
    return child;
  };
}
