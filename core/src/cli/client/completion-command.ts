import type { Noun } from './client-commands.ts';
import { GLOBAL_FLAGS, defineCommand, type ClientCommand, type FlagSpecs } from './client-command.ts';
import { SHELLS, completionScript, type CompletionFlag, type CompletionNode, type Shell } from './completion-scripts.ts';

const flag = (name: string, description: string, takesValue = false, short?: string): CompletionFlag => ({ name, description, takesValue, short });
const node = (name: string, summary: string, flags: CompletionFlag[] = [], verbs: CompletionNode[] = []): CompletionNode => ({ name, summary, flags, verbs, takesPath: false, argChoices: [] });
const HELP = flag('help', 'show the help', false, 'h');

/** The commands that run the server or look at this machine: their words and flags, as their own help gives them. */
const LOCAL_COMMANDS: readonly CompletionNode[] = [
  node('serve', 'Start the Forge Core server', [flag('port', 'the port to listen on', true), flag('host', 'the address to bind', true), HELP]),
  node('plugins', 'List, add, remove, enable and disable packs', [], [
    node('list', 'Every pack, its status and what it contributes', [flag('json', 'print JSON')]),
    node('add', 'Install a pack: an npm name, a tarball or a folder'),
    node('remove', 'Uninstall a pack'),
    node('enable', 'Let a disabled pack load again'),
    node('disable', 'Keep a pack from loading'),
  ]),
  node('doctor', 'Check git, FORGE_HOME, the database, the port and the executors', [flag('json', 'print JSON'), HELP]),
  node('mcp', 'Serve MCP over stdin/stdout', [HELP]),
  node('help', 'Show the help'),
];

function clientNodes(nouns: readonly Noun[]): CompletionNode[] {
  const flagsOf = (command: ClientCommand): CompletionFlag[] =>
    Object.entries({ ...command.flags, ...GLOBAL_FLAGS } as FlagSpecs).map(([name, spec]) => ({
      name,
      short: spec.short,
      takesValue: spec.type === 'string',
      choices: spec.choices,
      description: spec.description,
    }));
  return nouns.map((noun) => {
    const single = noun.commands.length === 1 && noun.commands[0]!.verb === null ? noun.commands[0]! : null;
    const verbs = single ? [] : noun.commands.map((c) => ({ name: c.verb!, summary: c.summary, flags: flagsOf(c), verbs: [], takesPath: c.args.includes('<path>'), argChoices: c.argChoices ?? [] }));
    return { name: noun.name, summary: noun.summary, flags: single ? flagsOf(single) : [], verbs, takesPath: false, argChoices: single?.argChoices ?? [] };
  });
}

/** `forgecore completion <shell>`, completing every command of `nouns()` and the local ones. */
export function completionCommandOf(nouns: () => readonly Noun[]) {
  return defineCommand({
    noun: 'completion',
    verb: null,
    summary: 'Print a shell completion script for bash, zsh or fish',
    args: ['<shell>'],
    argChoices: SHELLS,
    flags: {},
    example: 'source <(forgecore completion bash)',
    async run({ output }, { args }) {
      output.print(completionScript(args[0] as Shell, [...LOCAL_COMMANDS, ...clientNodes(nouns())]).trimEnd());
      return 0;
    },
  });
}
