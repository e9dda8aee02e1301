import { GLOBAL_FLAGS, type ClientCommand, type FlagSpecs } from './client-command.ts';
import type { Noun } from './client-commands.ts';

/** The part of `forgecore help` about the commands that work with a running server, and the exit codes. */
export function clientUsage(nouns: readonly Noun[]): string {
  const width = Math.max(...nouns.map((noun) => noun.name.length)) + 2;
  const lines = nouns.map((noun) => {
    const verbs = noun.commands[0]!.verb === null ? '' : `\n  ${' '.repeat(width)} (${noun.commands.map((c) => c.verb).join(', ')})`;
    return `  ${noun.name.padEnd(width)} ${noun.summary}${verbs}`;
  });
  return `Commands that work with a running server (forgecore <command> --help for each):
${lines.join('\n')}

Their flags, after the command: --server <url> (or FORGE_URL; default: the server that
FORGE_HOST, FORGE_PORT and $FORGE_HOME/config.json describe), --token <token> (better
FORGE_API_TOKEN, which ps does not show; default: config.json's apiToken, sent only to the
configured server), and on every listing and show --json (the API's JSON, nothing else on
stdout). FORGE_API_TOKEN and --token go to whichever server --server or FORGE_URL names.
A request waits 30 s for its answer (FORGE_CLIENT_TIMEOUT_MS changes it; a push waits longer).
Colours only on a terminal; NO_COLOR turns them off, FORCE_COLOR on.

Exit codes:
  0    done
  1    the server refused or failed the request (its error code and message are printed),
       or a followed attempt did not succeed
  2    usage error: unknown command or flag, missing argument, a malformed URL or token
  3    no Forge Core server answers at the URL (nothing listens, no answer in time, or
       what answers is not Forge Core)
  4    the server refused the token (401, 403)
  130  Ctrl-C while following a log (the attempt goes on)`;
}

/** `forgecore <noun> --help`: its commands. */
export function nounHelp(noun: Noun): string {
  const usages = noun.commands.map((command) => [`${command.verb} ${command.args.join(' ')}`.trim(), command.summary] as const);
  const width = Math.max(...usages.map(([usage]) => usage.length)) + 2;
  return `Usage: forgecore ${noun.name} <command> [arguments] [flags]

${noun.summary}.

Commands:
${usages.map(([usage, summary]) => `  ${usage.padEnd(width)} ${summary}`).join('\n')}

Run \`forgecore ${noun.name} <command> --help\` for its flags.`;
}

/** `forgecore <noun> [<verb>] --help`: its arguments, flags and an example. */
export function commandHelp(command: ClientCommand): string {
  const name = ['forgecore', command.noun, command.verb, ...command.args].filter(Boolean).join(' ');
  return `Usage: ${name} [flags]

${command.summary}.
${Object.keys(command.flags).length > 0 ? `\nFlags:\n${flagLines(command.flags)}\n` : ''}
Global flags:
${flagLines(GLOBAL_FLAGS)}

Example:
  ${command.example}`;
}

function flagLines(flags: FlagSpecs): string {
  const entries = Object.entries(flags).map(([name, spec]) => {
    const value = spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : '';
    const usage = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value}`;
    const choices = spec.choices ? ` (${spec.choices.join(', ')})` : '';
    return [usage, `${spec.description}${choices}${spec.multiple ? '; repeatable' : ''}`] as const;
  });
  const width = Math.max(...entries.map(([usage]) => usage.length)) + 2;
  return entries.map(([usage, description]) => `  ${usage.padEnd(width)} ${description}`).join('\n');
}
