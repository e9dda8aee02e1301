import type { DetectContext } from '../../context.ts';
import type { DetectResult, Executor } from '../../executor.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue, thrownMessage } from '../problems.ts';
import { withinTimeout } from '../within-timeout.ts';

interface Detection {
  result: unknown;
  /** The names detect looked up or ran, in order. */
  lookedUp: string[];
}

/** The settings a host would pass when the configuration gives none: the descriptors' defaults. */
function defaultConfig(executor: Executor): Record<string, unknown> {
  const entries = Object.entries(executor.config ?? {}).flatMap(([name, descriptor]) => ('default' in descriptor && descriptor.default !== undefined ? [[name, descriptor.default]] : []));
  return Object.fromEntries(entries);
}

/**
 * Calls detect with a PATH on which `find` decides what exists — a command it runs answers a
 * version when it exists and cannot start when it does not; a throw becomes a failed test.
 */
async function detectWith(executor: Executor, timeoutMs: number, find: (name: string) => string | null): Promise<Detection> {
  const lookedUp: string[] = [];
  const ctx: DetectContext = {
    findExecutable: async (name) => {
      lookedUp.push(name);
      return find(name);
    },
    exec: async (command) => {
      lookedUp.push(command);
      const found = command.includes('/') ? command : find(command);
      return found === null ? { code: null, stdout: '', stderr: `could not start ${command}: not found` } : { code: 0, stdout: `${command} 1.0.0\n`, stderr: '' };
    },
    signal: new AbortController().signal,
    config: defaultConfig(executor),
  };
  const settled = Promise.resolve()
    .then(() => executor.detect(ctx))
    .then((result) => ({ result }), (error: unknown) => ({ error }));
  const outcome = await withinTimeout(settled, timeoutMs, 'detect()');
  if ('error' in outcome) {
    assertNoProblems('detect must resolve, never throw', [`it threw ${thrownMessage(outcome.error)}; report {available: false, reason} instead`]);
  }
  return { result: 'result' in outcome ? outcome.result : undefined, lookedUp };
}

function resultProblems(result: unknown): string[] {
  if (typeof result !== 'object' || result === null) return [`detect resolved with ${describeValue(result)}, not {available, version?, reason?}`];
  const { available, version, reason } = result as Partial<Record<keyof DetectResult, unknown>>;
  const problems: string[] = [];
  if (typeof available !== 'boolean') problems.push(`available must be true or false, received ${describeValue(available)}`);
  if (version !== undefined && typeof version !== 'string') problems.push(`version must be a string, received ${describeValue(version)}`);
  if (reason !== undefined && typeof reason !== 'string') problems.push(`reason must be a string, received ${describeValue(reason)}`);
  if (available === false && (typeof reason !== 'string' || reason.trim() === '')) problems.push('an unavailable executor must say why in reason, in words a person can act on');
  return problems;
}

/** detect tells the host whether the executor can run here, and must answer whatever the machine holds. */
export function detectSuite(setup: SuiteSetup, executor: Executor): void {
  const { describe, it, timeoutMs } = setup;
  describe('detect', () => {
    it('resolves with a well-formed result when every executable is installed', async () => {
      const { result } = await detectWith(executor, timeoutMs, (name) => `/usr/local/bin/${name}`);
      assertNoProblems('detect answered badly', resultProblems(result));
    });

    it('reports available: false with a reason when nothing it looks for is installed', async () => {
      const { result, lookedUp } = await detectWith(executor, timeoutMs, () => null);
      const problems = resultProblems(result);
      // An executor that looks nothing up (it runs something it ships) may well be available anywhere.
      if (lookedUp.length > 0 && (result as Partial<DetectResult> | undefined)?.available === true) {
        problems.push(`it looked up ${lookedUp.join(', ')}, found nothing, and still reported available: true`);
      }
      assertNoProblems('detect answered badly on an empty PATH', problems);
    });
  });
}
