import { ForgeError } from '@forge-core/sdk';
import type { ForgeConfig } from '../config/config.ts';
import { SDK_DIR } from '../plugins/discover.ts';
import { PackRegistry } from '../plugins/pack-registry.ts';
import { packReportText } from '../plugins/pack-report-text.ts';
import { PluginInstaller } from '../plugins/plugin-installer.ts';
import { pluginsDir } from '../plugins/plugin-home.ts';
import { registryOptions } from '../plugins/registry-options.ts';

export const PLUGINS_USAGE = `Usage: forge plugins <command>

Commands:
  list [--json]            Every pack found, its status and what it contributes
  add <source>             Install a pack: an npm name (optionally @version), a tarball made
                           by npm pack, or a folder. Installed with --ignore-scripts into
                           $FORGE_HOME/plugins
  remove <name>            Uninstall a pack added with \`forge plugins add\`
  enable <name>            Let a disabled pack load again
  disable <name>           Keep a pack from loading (built-in ones too)

Changes take effect when the server restarts.`;

const RESTART = 'Restart the server (forge serve) to apply it.';

/** Runs one `forge plugins` command against $FORGE_HOME; the server need not be running. */
export async function pluginsCommand(config: ForgeConfig, args: readonly string[], print: (text: string) => void): Promise<number> {
  const [command, argument] = args;
  const installer = new PluginInstaller(config.home, SDK_DIR, config.pluginPaths);
  try {
    switch (command) {
      case 'list': {
        const registry = await PackRegistry.load(registryOptions(config));
        print(args.includes('--json') ? JSON.stringify({ items: registry.packs }, null, 2) : packReportText(registry.packs));
        return 0;
      }
      case 'add': {
        if (!argument) break;
        const pack = await installer.add(argument);
        print(`Installed ${pack.name}@${pack.version} into ${pluginsDir(config.home)}. ${RESTART}`);
        return 0;
      }
      case 'remove':
        if (!argument) break;
        await installer.remove(argument);
        print(`Removed ${argument}. ${RESTART}`);
        return 0;
      case 'enable':
      case 'disable':
        if (!argument) break;
        await installer.setEnabled(argument, command === 'enable');
        print(`${argument} is ${command}d. ${RESTART}`);
        return 0;
    }
  } catch (error) {
    if (!(error instanceof ForgeError)) throw error;
    print(`${error.code}: ${error.message}`);
    return 1;
  }
  print(PLUGINS_USAGE);
  return 2;
}
