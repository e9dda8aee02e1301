import { EXECUTOR_BRAND, EXECUTOR_CAPABILITIES, EXECUTOR_ID_PATTERN, OPTIONAL_EXECUTOR_CAPABILITIES, type Executor } from '../../executor.ts';
import { CONTRACT_MAJOR } from '../../version.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { optionShapeProblems } from '../../option-descriptors.ts';
import { assertNoProblems, describeValue } from '../problems.ts';
import { capabilityProblems } from './capabilities.ts';

/** What the host checks when it registers the executor, before anything runs. */
export function executorDefinitionSuite(setup: SuiteSetup, executor: Executor): void {
  const { describe, it } = setup;
  const raw = executor as unknown as Record<string, unknown>;
  describe('definition', () => {
    it('is branded by defineExecutor() for this contract', async () => {
      const problems: string[] = [];
      if (raw['$$type'] !== EXECUTOR_BRAND) problems.push(`$$type is ${describeValue(raw['$$type'])}, not "${EXECUTOR_BRAND}"; wrap the definition in defineExecutor()`);
      if (raw['contractVersion'] !== CONTRACT_MAJOR) problems.push(`contractVersion is ${describeValue(raw['contractVersion'])}, not ${CONTRACT_MAJOR}`);
      assertNoProblems('the executor is not a defineExecutor() value', problems);
    });

    it('has an id and a display name the host accepts', async () => {
      const problems: string[] = [];
      if (typeof raw['id'] !== 'string' || !EXECUTOR_ID_PATTERN.test(raw['id'])) problems.push(`id ${describeValue(raw['id'])} does not match ${EXECUTOR_ID_PATTERN}`);
      if (typeof raw['displayName'] !== 'string' || raw['displayName'].trim() === '') problems.push('displayName must be a non-empty string');
      if (raw['description'] !== undefined && typeof raw['description'] !== 'string') problems.push('description must be a string');
      assertNoProblems('the executor cannot be listed', problems);
    });

    it('declares every capability as a boolean', async () => {
      assertNoProblems('capabilities are malformed', capabilityProblems(raw['capabilities'], EXECUTOR_CAPABILITIES, OPTIONAL_EXECUTOR_CAPABILITIES));
    });

    it('implements the hooks its capabilities promise', async () => {
      const problems: string[] = [];
      for (const hook of ['detect', 'run']) {
        if (typeof raw[hook] !== 'function') problems.push(`${hook} must be a function, received ${describeValue(raw[hook])}`);
      }
      const resumable = (raw['capabilities'] as { resume?: unknown } | undefined)?.resume === true;
      const hasResume = typeof raw['resume'] === 'function';
      if (resumable && !hasResume) problems.push('capabilities.resume is true but resume is not a function');
      if (!resumable && hasResume) problems.push('resume is implemented but capabilities.resume is not true, so the host never calls it');
      assertNoProblems('hooks are missing', problems);
    });

    it('declares well-formed options and settings with defaults of the right type', async () => {
      assertNoProblems('options or config are malformed', [...optionShapeProblems(raw['options']), ...optionShapeProblems(raw['config'], 'config')]);
    });
  });
}
