import type { Executor } from '../executor.ts';
import type { Pack } from '../pack.ts';
import { checkOptionKeys, checkPack, filePath, milliseconds, readPackageJson, suiteSetup, type CommonKitOptions } from './kit-options.ts';
import { abortSuite, DEFAULT_ABORT_TIMEOUT_MS } from './suites/abort.ts';
import { detectSuite } from './suites/detect.ts';
import { executorDefinitionSuite } from './suites/executor-definition.ts';
import { manifestSuite } from './suites/manifest.ts';
import { resumeSuite } from './suites/resume.ts';
import { runSuite } from './suites/run.ts';
import { loadTranscripts, type Transcript } from './transcripts.ts';

export interface ExecutorConformanceOptions extends CommonKitOptions {
  /** The pack's default export, the value definePack() returned. */
  pack: Pack;
  /** The pack's package.json: `new URL('../package.json', import.meta.url)`. */
  packageJson: URL;
  /** The folder of recorded transcripts: `new URL('./transcripts/', import.meta.url)`. */
  transcripts: URL;
  /** How long a run may go on once stopped; 2000 ms unless given. Separate from `timeoutMs`, which only catches hangs. */
  abortTimeoutMs?: number;
}

const KIT = 'executorConformance';
const OPTION_KEYS = ['pack', 'packageJson', 'transcripts', 'describe', 'it', 'timeoutMs', 'abortTimeoutMs'];

/** Which executor replays each transcript: the pack's only one, or the one the transcript names. */
function transcriptsByExecutor(executors: readonly Executor[], transcripts: readonly Transcript[]): Map<string, Transcript[]> {
  const byId = new Map(executors.map((executor) => [executor.id, [] as Transcript[]]));
  for (const transcript of transcripts) {
    const id = transcript.expected.executor ?? (executors.length === 1 ? executors[0]?.id : undefined);
    const list = id === undefined ? undefined : byId.get(id);
    if (list === undefined) {
      throw new TypeError(`${KIT}: transcript ${transcript.name} must name its executor in "executor", one of ${[...byId.keys()].join(', ')}`);
    }
    list.push(transcript);
  }
  return byId;
}

/**
 * Registers the conformance suites for an executor pack with the test runner: manifest, then for
 * each executor definition, detect, run (every transcript), abort and — when the executor
 * declares `capabilities.resume` — resume. Call it at the top level of a test file.
 */
export function executorConformance(options: ExecutorConformanceOptions): void {
  checkOptionKeys(KIT, options, OPTION_KEYS);
  const pack = checkPack(KIT, options.pack);
  if (pack.executors.length === 0) throw new TypeError(`${KIT}: the pack contributes no executors; for git providers use gitProviderConformance`);
  const file = filePath(KIT, 'packageJson', options.packageJson, "new URL('../package.json', import.meta.url)");
  const packageJson = readPackageJson(KIT, file);
  const transcripts = loadTranscripts(filePath(KIT, 'transcripts', options.transcripts, "new URL('./transcripts/', import.meta.url)"));
  const byExecutor = transcriptsByExecutor(pack.executors, transcripts);
  const setup = suiteSetup(KIT, options);
  const abortTimeoutMs = milliseconds(KIT, 'abortTimeoutMs', options.abortTimeoutMs, DEFAULT_ABORT_TIMEOUT_MS);

  setup.describe(`${String(packageJson['name'] ?? file)} executor conformance`, () => {
    manifestSuite(setup, { file, packageJson, pack });
    for (const executor of pack.executors) {
      const own = byExecutor.get(executor.id) ?? [];
      setup.describe(`executor ${executor.id}`, () => {
        executorDefinitionSuite(setup, executor);
        detectSuite(setup, executor);
        runSuite(setup, executor, own);
        abortSuite(setup, abortTimeoutMs, executor, own);
        if (executor.capabilities?.resume === true) resumeSuite(setup, executor, own);
      });
    }
  });
}
