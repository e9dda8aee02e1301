import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REPLAY_SCRIPT } from '../sdk/src/testing/replay-process.ts';

/** The agent CLIs the bench stands in for, and what each prints for `--version` (the executors' detect asks at server start). */
const VERSIONS = {
  claude: '2.1.197 (Claude Code)',
  codex: 'codex-cli 0.171.0',
  // Any agent that speaks ACP over stdio, which the generic acp executor starts by the command its options name.
  'acp-agent': 'acp-agent 1.0.0',
} as const;

export type ReplayedCli = keyof typeof VERSIONS;

/**
 * `claude`, `codex` and `acp-agent` executables in one folder, each playing whatever recording
 * was last given to it, with the SDK's own replay (the rules of its recording gate: nothing before
 * the executor's first line, a response only after its request, nothing after the CLI's own
 * request until it is answered, the exit only once stdin closes). The real executor packs start
 * them by name (the acp executor by the command its options give), so a server whose PATH begins
 * with `binDir` runs them as it would run the real CLIs.
 */
export class ReplayClis {
  constructor(readonly binDir: string) {
    mkdirSync(binDir, { recursive: true });
    for (const cli of Object.keys(VERSIONS) as ReplayedCli[]) {
      const file = join(binDir, cli);
      // The replay script reads its recording from process.argv[1], which for a script file is its own path.
      const preamble = [
        '#!/usr/bin/env node',
        `if (process.argv.includes('--version')) { process.stdout.write(${JSON.stringify(`${VERSIONS[cli]}\n`)}); process.exit(0); }`,
        `process.argv[1] = ${JSON.stringify(this.recordingFile(cli))};`,
      ];
      writeFileSync(file, `${preamble.join('\n')}\n${REPLAY_SCRIPT}`);
      chmodSync(file, 0o755);
    }
  }

  /** The PATH for a server that should find these CLIs first. */
  path(base = process.env['PATH'] ?? ''): string {
    return [this.binDir, base].filter((part) => part !== '').join(delimiter);
  }

  /** What the CLI prints on its next start: an interactive session (it waits for the executor to speak first). */
  record(cli: ReplayedCli, stdout: readonly string[]): void {
    writeFileSync(this.recordingFile(cli), JSON.stringify({ stdout, stderr: [], exitCode: 0, signal: null, interactive: true }));
  }

  private recordingFile(cli: ReplayedCli): string {
    return join(this.binDir, `${cli}.recording.json`);
  }
}
