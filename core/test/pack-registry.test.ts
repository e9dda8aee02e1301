import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackRegistry, type RegistryOptions } from '../src/plugins/pack-registry.ts';
import { tempDir } from './support/temp-dir.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('PackRegistry', () => {
  let home: ReturnType<typeof tempDir>;
  beforeEach(() => (home = tempDir('forge-registry-')));
  afterEach(() => home.cleanup());

  const load = (options: Partial<RegistryOptions>) =>
    PackRegistry.load({ home: home.path, localPaths: [], selection: { enabled: null, disabled: [], disabledByUser: [] }, hookTimeoutMs: 1_000, executorSettings: {}, ...options });
  const report = (registry: PackRegistry, name: string, source: string) => registry.packs.find((p) => p.name === name && p.source === source);

  it('lets a local copy of a built-in pack replace it, and says so', async () => {
    const registry = await load({ localPaths: [join(fixtures, 'packs', 'replaces-fake-agent')] });
    const builtIn = report(registry, '@forge-core/executor-fake-agent', 'workspace');
    assert.equal(builtIn?.status, 'disabled');
    assert.match(builtIn!.error!.message, /executor-fake-agent@0\.1\.0 \(workspace\) is replaced by the local copy at .*replaces-fake-agent/);
    assert.equal(report(registry, '@forge-core/executor-fake-agent', 'local')?.status, 'loaded');
    assert.equal(registry.executor('fake-agent')?.packageVersion, '9.9.9');
  });

  it('refuses an executor whose option descriptors it would misread, naming the key', async () => {
    const registry = await load({ localPaths: [join(fixtures, 'packs', 'misspelt-option')] });
    const pack = report(registry, 'forge-test-misspelt-option', 'local');
    assert.equal(pack?.status, 'failed');
    assert.equal(pack!.error!.code, 'FORGE_PLUGIN_EXPORT_INVALID');
    assert.match(pack!.error!.message, /Executor misspelt of forge-test-misspelt-option has invalid descriptors: options\.model: unknown key "maxLenght"/);
    assert.equal(registry.executor('misspelt'), undefined);
  });

  it('reports configured folders that hold no pack instead of skipping them', async () => {
    const missing = join(home.path, 'no-such-folder');
    const registry = await load({ localPaths: [missing, join(fixtures, 'installable', 'not-a-pack')] });
    const none = registry.packs.find((p) => p.path === missing);
    assert.equal(none?.status, 'failed');
    assert.match(none!.error!.message, /no-such-folder has no package\.json/);
    const plain = report(registry, 'forge-test-plain-library', 'local');
    assert.equal(plain?.status, 'failed');
    assert.match(plain!.error!.message, /has no "forge" field, so it is not a Forge pack/);
  });

  it('keeps packs out by the configured lists, with wildcards, before importing them', async () => {
    const localPaths = [join(fixtures, 'packs', 'throws-on-import'), join(fixtures, 'packs', 'hangs-in-detect')];
    const denied = await load({ localPaths, selection: { enabled: null, disabled: ['forge-test-*'], disabledByUser: [] } });
    const throwsOnImport = report(denied, 'forge-test-throws-on-import', 'local');
    assert.equal(throwsOnImport?.status, 'disabled', 'disabled, so its throwing entry was never imported');
    assert.match(throwsOnImport!.error!.message, /disabled by the configuration \(pluginsDisabled: "forge-test-\*"\)/);

    const allowed = await load({ localPaths, selection: { enabled: ['@forge-core/*'], disabled: [], disabledByUser: ['@forge-core/executor-script'] } });
    assert.equal(report(allowed, 'forge-test-hangs-in-detect', 'local')?.status, 'disabled');
    assert.match(report(allowed, 'forge-test-hangs-in-detect', 'local')!.error!.message, /not in the configuration's pluginsEnabled list/);
    assert.equal(report(allowed, '@forge-core/executor-fake-agent', 'workspace')?.status, 'loaded');
    const script = report(allowed, '@forge-core/executor-script', 'workspace');
    assert.equal(script?.status, 'disabled');
    assert.match(script!.error!.message, /enable it with `forgecore plugins enable @forge-core\/executor-script`/);
    assert.equal(allowed.executor('script'), undefined);
  });
});
