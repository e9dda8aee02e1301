import { CORE_VERSION } from '../core-package.ts';
import { clientUsage } from './client/client-help.ts';
import { CLIENT_NOUNS, clientNoun } from './client/client-commands.ts';
import { flagsMovedAfterCommand } from './client/command-line.ts';
import { CommandFailure } from './client/exit-codes.ts';
import { runClientCommand } from './client/run-client-command.ts';
import { exitOnceWritten, printLine, watchStdout } from './client/stdout-writer.ts';
import { terminalSafe } from './client/terminal-style.ts';
import { UsageError } from './parse-options.ts';

const USAGE = `Usage: forgecore <command> [arguments] [flags]

Commands that run on this machine:
  serve      Start the Forge Core server (forgecore serve --help)
  plugins    List, add, remove, enable and disable packs (forgecore plugins help)
  doctor     Check git, FORGE_HOME, the database, the port and which executors can run
             here, with what to install for the others (forgecore doctor --help)
  mcp        Serve MCP over stdin/stdout for an MCP client that starts it (forgecore mcp --help)
  help       Show this help; help <command> shows the command's

${clientUsage(CLIENT_NOUNS)}

Options:
  -h, --help     Show this help
  -v, --version  Print the version of Forge Core`;

// Raised by the local commands (a configuration that does not load, a FORGE_HOME in use): known
// by name, so saying them does not load the modules that define them.
const SETUP_ERRORS = ['ConfigError', 'HomeInUseError'];
const LOCAL_COMMANDS = ['serve', 'plugins', 'doctor', 'mcp', 'help'];

const argv = process.argv.slice(2);
// `forgecore help <command> …` is `forgecore <command> … --help`, as in git and gh.
const [command = 'help', ...args] = argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv;
// A failed write to stdout ends every command that prints a result; not a server or an MCP
// session, whose stdout is not their result (serve keeps running when its terminal goes away).
const resultCommand = command !== 'serve' && command !== 'mcp';
if (resultCommand) watchStdout();
const print = resultCommand ? printLine : (text: string) => console.log(text);
// The local commands are loaded only when named: the client commands must not pay for the
// server's modules (hapi, knex, SQLite, pino, the registry) at every start.
try {
  switch (command) {
    case 'serve': {
      const { serveCommand } = await import('./serve-command.ts');
      await serveCommand(args, print);
      break;
    }
    case 'plugins':
    case 'doctor': {
      const { loadConfig } = await import('../config/config.ts');
      const run = command === 'plugins' ? (await import('./plugins-command.ts')).pluginsCommand : (await import('./doctor-command.ts')).doctorCommand;
      const code = await run(loadConfig(), args, print);
      // Exits once the output is written: a pack imported to list it may hold a timer or socket open.
      exitOnceWritten(code);
      break;
    }
    case 'mcp': {
      // Loaded only here: the MCP SDK costs `serve` a quarter of a second and 24 MB it does not need at start.
      const { mcpCommand } = await import('./mcp-command.ts');
      const { loadConfig } = await import('../config/config.ts');
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
      if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}" after ${command}`, 'forgecore');
      print(CORE_VERSION);
      break;
    default: {
      const noun = clientNoun(command);
      if (!noun) throw unknownCommand(command, argv);
      const code = await runClientCommand(noun, args);
      // Exits once the output is written, without waiting for fetch's idle keep-alive sockets to close.
      exitOnceWritten(code);
    }
  }
} catch (error) {
  const [line, code] = failureOf(error);
  console.error(line);
  process.exit(code);
}

/** An unknown first word; for flags typed before the command, the line with them after it. */
function unknownCommand(command: string, argv: readonly string[]): UsageError {
  if (!command.startsWith('-')) return new UsageError(`Unknown command: ${command}`, 'forgecore');
  const corrected = flagsMovedAfterCommand(argv, (word) => LOCAL_COMMANDS.includes(word) || clientNoun(word) !== undefined);
  if (corrected === null) return new UsageError(`Unknown option: ${command}`, 'forgecore');
  return new UsageError(`flags go after the command: \`${corrected}\``, 'forgecore');
}

/**
 * What went wrong, as one line for stderr (what and what to do), and the exit code. A stack
 * only for what is no known failure, and only with FORGE_DEBUG=1.
 */
function failureOf(error: unknown): [string, number] {
  const listening = listenFailure(error);
  if (listening !== null) return [oneLine(listening), 2];
  if (error instanceof UsageError) {
    return [oneLine(`${error.command}: ${error.message.replace(/\.$/, '')}. Run \`${error.command} --help\` for usage.`), 2];
  }
  if (error instanceof CommandFailure) return [oneLine(`forgecore: ${error.message}`), error.exitCode];
  if (error instanceof Error && SETUP_ERRORS.includes(error.name)) return [oneLine(error.message), 2];
  if (process.env.FORGE_DEBUG === '1') return [terminalSafe((error as Error).stack ?? String(error)), 1];
  return [oneLine(`forgecore: ${(error as Error).message ?? String(error)} (an unexpected failure: FORGE_DEBUG=1 shows where it came from)`), 1];
}

/**
 * `serve` could not listen at the configured address: a setup problem (exit 2, as a
 * configuration that does not load), said with what to change; null for any other failure.
 */
function listenFailure(error: unknown): string | null {
  const { code, syscall, address, port } = error as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown };
  if (syscall !== 'listen' || typeof address !== 'string') return null;
  const where = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `forgecore serve: ${where} is in use (another Forge Core server, or another program). Start on another port with --port <port> or FORGE_PORT, or stop what listens there.`;
    case 'EACCES':
      return `forgecore serve: not allowed to listen on ${where} (ports below 1024 need privileges). Choose another port with --port <port> or FORGE_PORT.`;
    case 'EADDRNOTAVAIL':
      return `forgecore serve: cannot listen on ${where}: ${address} is not an address of this machine. Choose another with --host <address> or FORGE_HOST.`;
    default:
      return null;
  }
}

/**
 * One line, with nothing of what it quotes (a server's message, a file name an agent chose)
 * able to colour, move the cursor or retitle the terminal.
 */
function oneLine(text: string): string {
  return terminalSafe(text).replace(/\s*\n\s*/g, ' ');
}
