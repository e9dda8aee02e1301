import { ForgeError } from '@forge-core/sdk';
import type { ForgeConfig } from '../config/config.ts';
import { SDK_DIR } from '../plugins/discover.ts';
import { PackRegistry } from '../plugins/pack-registry.ts';
import { packReportText } from '../plugins/pack-report-text.ts';
import type { PackList } from '../plugins/pending-changes.ts';
import { PluginInstaller } from '../plugins/plugin-installer.ts';
import { pluginsDir } from '../plugins/plugin-home.ts';
import { registryOptions } from '../plugins/registry-options.ts';
import { UsageError, parseOptions } from './parse-options.ts';
import { fetchServerPacks } from './running-server.ts';

export const PLUGINS_USAGE = `Usage: forgecore plugins <command>

Commands:
  list [--json]            Every pack, its status and what it contributes. With a server
                           running for this configuration: what it loaded, and what a
                           restart would change (pending install, remove, enable, disable)
  add <source>             Install a pack: an npm name (optionally @version), a tarball made
                           by npm pack, or a folder. Installed with --ignore-scripts into
                           $FORGE_HOME/plugins
  remove <name>            Uninstall a pack added with \`forgecore plugins add\`
  enable <name>            Let a disabled pack load again
  disable <name>           Keep a pack from loading (built-in ones too)

Changes take effect when the server restarts.`;

const COMMAND = 'forgecore plugins';
const RESTART = 'Restart the server (forgecore serve) to apply it.';
const ARGUMENT: Record<string, string> = { add: '<source>', remove: '<name>', enable: '<name>', disable: '<name>' };

/** Runs one `forgecore plugins` command against $FORGE_HOME; the server need not be running. */
export async function pluginsCommand(config: ForgeConfig, args: readonly string[], print: (text: string) => void): Promise<number> {
  const { values, positionals } = parseOptions(COMMAND, args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  const [command, argument] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    print(PLUGINS_USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command !== 'list' && !(command in ARGUMENT)) throw new UsageError(`Unknown command: ${command}`, COMMAND);
  if (values.json && command !== 'list') throw new UsageError(`--json applies to list only`, COMMAND);
  const wanted = command === 'list' ? 0 : 1;
  if (positionals.length - 1 < wanted) throw new UsageError(`${command} needs ${ARGUMENT[command]}`, COMMAND);
  if (positionals.length - 1 > wanted) throw new UsageError(`Unexpected argument "${positionals[wanted + 1]}" after ${command}`, COMMAND);
  const installer = new PluginInstaller(config.home, SDK_DIR, config.pluginPaths);
  try {
    switch (command) {
      case 'list':
        await list(config, values.json === true, print);
        return 0;
      case 'add': {
        const pack = await installer.add(argument!);
        print(`Installed ${pack.name}@${pack.version} into ${pluginsDir(config.home)}. ${RESTART}`);
        return 0;
      }
      case 'remove':
        await installer.remove(argument!);
        print(`Removed ${argument}. ${RESTART}`);
        return 0;
      default:
        await installer.setEnabled(argument!, command === 'enable');
        print(`${argument} is ${command}d. ${RESTART}`);
        return 0;
    }
  } catch (error) {
    if (!(error instanceof ForgeError)) throw error;
    print(`${error.code}: ${error.message}`);
    return 1;
  }
}

/**
 * What the server of this configuration loaded and what a restart would change; with none
 * running, what a start would load now (which imports the packs, as a start does).
 */
async function list(config: ForgeConfig, json: boolean, print: (text: string) => void): Promise<void> {
  const server = await fetchServerPacks(config);
  let packs: PackList;
  let heading: string;
  if (server.list) {
    packs = server.list;
    heading = `The server at ${server.url}${packs.restartRequired ? ' (restart it to apply the pending changes)' : ''}:`;
  } else {
    const registry = await PackRegistry.load(registryOptions(config));
    packs = { items: registry.packs.map((pack) => ({ ...pack, pending: null })), restartRequired: false };
    const why =
      config.port === 0
        ? 'The port is 0 (a free one at each start), so there is no server to ask'
        : server.problem
          ? `${server.url} is not this configuration's Forge server: ${server.problem}`
          : `No server answers at ${server.url}`;
    heading = `${why}. What a start would load:`;
  }
  print(json ? JSON.stringify({ server: server.list ? server.url : null, ...packs }, null, 2) : `${heading}\n${packReportText(packs.items)}`);
}
