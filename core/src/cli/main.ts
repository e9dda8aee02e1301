import { ConfigError, loadConfig } from '../config/config.ts';
import { CORE_VERSION } from '../core-version.ts';
import { HomeInUseError } from '../locks/home-lock.ts';
import { doctorCommand } from './doctor-command.ts';
import { UsageError } from './parse-options.ts';
import { pluginsCommand } from './plugins-command.ts';
import { serveCommand } from './serve-command.ts';

const USAGE = `Usage: forgecore <command>

Commands:
  serve      Start the Forge Core server (forgecore serve --help)
  plugins    List, add, remove, enable and disable packs (forgecore plugins help)
  doctor     Check git, FORGE_HOME, the database, the port and which executors can run
             here, with what to install for the others (forgecore doctor --help)
  mcp        Serve MCP over stdin/stdout for an MCP client that starts it (forgecore mcp --help)
  help       Show this help

Options:
  -h, --help     Show this help
  -v, --version  Print the version of Forge Core`;

const print = (text: string) => console.log(text);
const [command = 'help', ...args] = process.argv.slice(2);
try {
  switch (command) {
    case 'serve':
      await serveCommand(args, print);
      break;
    case 'plugins':
    case 'doctor': {
      const code = await (command === 'plugins' ? pluginsCommand : doctorCommand)(loadConfig(), args, print);
      // Exits once the output is written: a pack imported to list it may hold a timer or socket open.
      process.stdout.write('', () => process.exit(code));
      break;
    }
    case 'mcp': {
      // Loaded only here: the MCP SDK costs `serve` a quarter of a second and 24 MB it does not need at start.
      const { mcpCommand } = await import('./mcp-command.ts');
      const code = await mcpCommand(loadConfig(), args, print);
      process.stdout.write('', () => process.exit(code));
      break;
    }
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      break;
    case '--version':
    case '-v':
      print(CORE_VERSION);
      break;
    default:
      console.error(`${command.startsWith('-') ? 'Unknown option' : 'Unknown command'}: ${command}\n\n${USAGE}`);
      process.exitCode = 2;
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.command}: ${error.message}\nRun \`${error.command} --help\` for usage.`);
    process.exit(2);
  }
  if (error instanceof ConfigError || error instanceof HomeInUseError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
