import { UsageError, parseOptions } from '../parse-options.ts';
import { GLOBAL_FLAGS, type ClientCommand, type CommandContext, type FlagSpecs, type FlagValues } from './client-command.ts';
import { commandHelp, nounHelp } from './client-help.ts';
import type { Noun } from './client-commands.ts';
import { CommandOutput } from './command-output.ts';
import { forgecoreLine } from './command-line.ts';
import { ForgeClient, answerWithinMs } from './http-client.ts';
import { serverAddress, serverUrl } from './server-address.ts';

const HELP_WORDS = ['help', '--help', '-h'];

/**
 * Runs `forgecore <noun> [<verb>] [arguments] [flags]`: picks the command, parses its flags
 * strictly (an unknown flag, a missing argument or a value outside its choices is a UsageError),
 * and runs it. Returns the exit code; what goes wrong is thrown for the top level to say.
 */
export async function runClientCommand(noun: Noun, words: readonly string[], output = new CommandOutput()): Promise<number> {
  const single = noun.commands.length === 1 && noun.commands[0]!.verb === null ? noun.commands[0]! : null;
  let command: ClientCommand;
  let rest: readonly string[];
  if (single) {
    [command, rest] = [single, words];
  } else {
    const [verb, ...after] = words;
    // A noun alone asks what it does, as in gh: its help, and no error.
    if (verb === undefined || HELP_WORDS.includes(verb)) {
      output.print(nounHelp(noun));
      return 0;
    }
    const found = noun.commands.find((c) => c.verb === verb);
    if (!found) {
      const what = verb.startsWith('-') ? `the command comes before the flags: forgecore ${noun.name} <command> ${verb}` : `unknown command "${verb}"; the commands are ${noun.commands.map((c) => c.verb).join(', ')}`;
      throw new UsageError(what, `forgecore ${noun.name}`);
    }
    [command, rest] = [found, after];
  }
  const name = ['forgecore', command.noun, command.verb].filter(Boolean).join(' ');
  const { values, positionals } = parseOptions(name, rest, { ...command.flags, ...GLOBAL_FLAGS }, true);
  if (values.help) {
    output.print(commandHelp(command));
    return 0;
  }
  if (positionals.length < command.args.length) throw new UsageError(`missing ${command.args.slice(positionals.length).join(' ')}`, name);
  if (positionals.length > command.args.length) throw new UsageError(`unexpected argument "${positionals[command.args.length]}"`, name);
  // An empty id would name the collection instead ("" as a path, the current folder).
  const empty = positionals.findIndex((value) => value.trim() === '');
  if (empty >= 0) throw new UsageError(`${command.args[empty]} is empty`, name);
  if (command.argChoices && !command.argChoices.includes(positionals[0]!)) {
    throw new UsageError(`${command.args[0]} must be one of ${command.argChoices.join(', ')}, got "${positionals[0]}"`, name);
  }
  for (const [flag, spec] of Object.entries({ ...command.flags, ...GLOBAL_FLAGS } as FlagSpecs)) {
    const given = (values as Record<string, unknown>)[flag];
    // An empty value is a mistake (an unset shell variable, `--server ""`), not a request to leave the flag out.
    if ([given].flat().some((value) => typeof value === 'string' && value.trim() === '')) throw new UsageError(`--${flag} is empty`, name);
    const wrong = spec.choices && [given].flat().find((value) => typeof value === 'string' && !spec.choices!.includes(value));
    if (wrong) throw new UsageError(`--${flag} must be one of ${spec.choices!.join(', ')}, got "${wrong}"`, name);
  }
  const server = values.server as string | undefined;
  let client: ForgeClient | null = null;
  const context: CommandContext = {
    name,
    output,
    api: () => (client ??= new ForgeClient(serverAddress({ server, token: values.token as string | undefined }), answerWithinMs())),
    forgecore: (...parts) => forgecoreLine(server ? serverUrl(server, '--server') : undefined, parts),
  };
  return command.run(context, { args: positionals, flags: values as FlagValues<typeof command.flags> });
}
