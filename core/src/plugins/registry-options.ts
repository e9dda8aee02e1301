import type { ForgeConfig } from '../config/config.ts';
import type { RegistryOptions } from './pack-registry.ts';
import { readPluginState } from './plugin-home.ts';

/** What the registry needs from the configuration and from `forgecore plugins enable/disable`. */
export function registryOptions(config: ForgeConfig): RegistryOptions {
  return {
    home: config.home,
    localPaths: config.pluginPaths,
    selection: { enabled: config.pluginsEnabled, disabled: config.pluginsDisabled, disabledByUser: readPluginState(config.home).disabled },
    hookTimeoutMs: config.pluginHookTimeoutMs,
    executorSettings: config.executors,
  };
}
