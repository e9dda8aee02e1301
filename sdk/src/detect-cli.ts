import { commandLine, type CommandLine } from './command-line.ts';
import type { DetectContext } from './context.ts';
import { shortLine } from './event-text.ts';
import type { DetectResult } from './executor.ts';

/** What `detectCli` needs to know about one agent CLI. */
export interface CliDetection {
  /** The executor's id: messages name its setting `executors.<id>.command`. */
  executorId: string;
  /** The command setting as configured: `gemini`, `npx -y @google/gemini-cli@0.61.0`, `"/opt/my tools/amp"`. */
  command: string;
  /** What a person does to get the CLI, a sentence without its full stop: "Install Gemini CLI with `npm install -g @google/gemini-cli`". */
  install: string;
  /** Where the version is in what `--version` printed (its first group, or the whole match); the first dotted number (`1.0.102`, `0.0.1790142911-g7618fb`) when not given. */
  versionPattern?: RegExp;
  /** How long `--version` may take; `npx -y …` may first download the package. 60 s when not given. */
  timeoutMs?: number;
}

/** A CLI found: the detect answer, and the command line that was run (for a run that needs the version, such as a flag that changed). */
export interface CliDetected extends DetectResult {
  commandLine?: CommandLine;
}

const DEFAULT_VERSION = /\d+\.\d+\.\d+[\w.+-]*/;
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Whether an agent CLI can start here: its command setting read, its program found (on the
 * PATH, or as the path it names), and `--version` answering with exit 0. Every failure says what
 * went wrong and what to install or configure. Never throws.
 */
export async function detectCli(ctx: DetectContext, cli: CliDetection): Promise<CliDetected> {
  const setting = `executors.${cli.executorId}.command`;
  let command: CommandLine | undefined;
  try {
    command = commandLine(cli.command);
  } catch (error) {
    return { available: false, reason: `The setting ${setting} cannot be read: ${(error as Error).message}.` };
  }
  if (command === undefined) return { available: false, reason: `The setting ${setting} is blank. ${cli.install}, or set ${setting} to the command that starts it.` };
  try {
    const executable = command.command.includes('/') ? command.command : await ctx.findExecutable(command.command);
    if (executable === null) {
      return { available: false, reason: `\`${command.command}\` is not on the PATH of the Forge server. ${cli.install}, or set ${setting} to the command that starts it.` };
    }
    const { code, stdout, stderr } = await ctx.exec(executable, [...command.args, '--version'], { timeoutMs: cli.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    if (code !== 0) {
      const how = code === null ? 'did not finish or could not start' : `exited with code ${code}`;
      const said = shortLine(stderr || stdout);
      return { available: false, reason: `\`${cli.command} --version\` ${how}${said === '' ? '' : `: ${said}`}. ${cli.install}.` };
    }
    const match = (cli.versionPattern ?? DEFAULT_VERSION).exec(stdout);
    const version = match?.[1] ?? match?.[0];
    return { available: true, ...(version === undefined ? {} : { version }), commandLine: { command: executable, args: command.args } };
  } catch (error) {
    return { available: false, reason: `Could not look for \`${command.command}\`: ${(error as Error).message}` };
  }
}

/** The detect answer alone, as `detect()` returns it. */
export function detectResultOf(detected: CliDetected): DetectResult {
  const { commandLine: _commandLine, ...result } = detected;
  return result;
}
