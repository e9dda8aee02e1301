import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkPackManifest } from '../../index.ts';
import { PACK_BRAND, type Pack, type PackManifest } from '../../pack.ts';
import { SDK_CONTRACT_VERSION } from '../../version.ts';
import type { SuiteSetup } from '../kit-options.ts';
import { assertNoProblems, describeValue, fail, thrownMessage } from '../problems.ts';
import { parseSdkRange, pinnedMajor, satisfies } from '../sdk-range.ts';

const SDK_PACKAGE = '@forge-core/sdk';

export interface ManifestUnderTest {
  /** The package.json file, for messages and to resolve the entry. */
  file: string;
  packageJson: Record<string, unknown>;
  pack: Pack;
}

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/** The manifest, or a failed test listing what is wrong with it. */
function validManifest({ file, packageJson }: ManifestUnderTest): PackManifest {
  const check = checkPackManifest(packageJson);
  return check.ok ? check.manifest : fail(`${file} has an invalid forge manifest`, check.problems);
}

/**
 * Why the host would refuse a `forge.sdk` range: it lets a breaking contract in, or the contract
 * this SDK implements does not satisfy it. A range the kit cannot read is refused too, so that
 * the check never passes a range it did not understand.
 */
function sdkRangeProblems(range: string): string[] {
  const parsed = parseSdkRange(range);
  if (parsed === null) return [`forge.sdk "${range}" is not a range the kit can read; use a simple range such as "^${SDK_CONTRACT_VERSION}"`];
  const problems: string[] = [];
  if (pinnedMajor(parsed) === null) problems.push(`forge.sdk "${range}" does not pin one major of the contract, so a breaking contract would satisfy it; use e.g. "^${SDK_CONTRACT_VERSION}"`);
  if (!satisfies(SDK_CONTRACT_VERSION, parsed)) problems.push(`forge.sdk "${range}" does not accept ${SDK_CONTRACT_VERSION}, the contract the SDK installed here implements, so the host would refuse the pack; use e.g. "^${SDK_CONTRACT_VERSION}"`);
  return problems;
}

const sameIds = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** What the host reads from package.json before it imports a line of the pack. */
export function manifestSuite(setup: SuiteSetup, subject: ManifestUnderTest): void {
  const { describe, it } = setup;
  const { file, packageJson, pack } = subject;
  describe('manifest', () => {
    it('has a valid forge field', async () => {
      validManifest(subject);
    });

    it('pins one major of the SDK contract in forge.sdk, and accepts the installed SDK', async () => {
      assertNoProblems(file, sdkRangeProblems(validManifest(subject).sdk));
    });

    it('exports ./package.json', async () => {
      const exported = Object.hasOwn(record(packageJson['exports']), './package.json');
      assertNoProblems(file, exported ? [] : ['"exports" must include "./package.json": "./package.json", so the host can read the manifest of an installed pack']);
    });

    it(`depends on ${SDK_PACKAGE} as a peer dependency or a dependency`, async () => {
      const declared = [packageJson['peerDependencies'], packageJson['dependencies']].some((deps) => typeof record(deps)[SDK_PACKAGE] === 'string');
      assertNoProblems(file, declared ? [] : [`declare ${SDK_PACKAGE} in peerDependencies (e.g. "^${SDK_CONTRACT_VERSION}"), so the pack shares the host's SDK`]);
    });

    it('contributes exactly the ids the pack exports', async () => {
      const manifest = validManifest(subject);
      const problems: string[] = [];
      const contributions = [
        ['executors', manifest.contributes.executors ?? [], pack.executors.map((executor) => executor.id)],
        ['gitProviders', manifest.contributes.gitProviders ?? [], pack.gitProviders.map((provider) => provider.id)],
      ] as const;
      for (const [kind, declared, exported] of contributions) {
        if (!sameIds(declared, exported)) problems.push(`forge.contributes.${kind} lists ${JSON.stringify(declared)}, but the pack exports ${JSON.stringify(exported)}`);
      }
      if (manifest.kind === 'executor' && pack.gitProviders.length > 0) problems.push('forge.kind is "executor" but the pack contributes git providers; use "pack"');
      if (manifest.kind === 'git-provider' && pack.executors.length > 0) problems.push('forge.kind is "git-provider" but the pack contributes executors; use "pack"');
      assertNoProblems(file, problems);
    });

    it('names an entry whose default export is the pack under test', async () => {
      const entry = path.resolve(path.dirname(file), validManifest(subject).entry);
      if (!existsSync(entry)) fail(file, [`forge.entry resolves to ${entry}, which does not exist`]);
      let exported: unknown;
      try {
        exported = ((await import(pathToFileURL(entry).href)) as { default?: unknown }).default;
      } catch (error) {
        fail(file, [`forge.entry ${entry} cannot be imported: ${thrownMessage(error)}`]);
      }
      // Compared by what it contributes, not by identity: a test runner may load the pack under test
      // through another module system than this import, which makes a second, equal instance.
      const exportedPack = exported as Partial<Pack> | undefined;
      if (exportedPack?.$$type !== PACK_BRAND) fail(file, [`the default export of forge.entry is ${describeValue(exported)}, not a definePack() value`]);
      const contributions = (value: Partial<Pack>) => JSON.stringify([value.executors?.map((executor) => executor.id), value.gitProviders?.map((provider) => provider.id)]);
      assertNoProblems(file, contributions(exportedPack) === contributions(pack) ? [] : [`forge.entry exports a pack contributing ${contributions(exportedPack)}, not the pack under test (${contributions(pack)})`]);
    });
  });
}
