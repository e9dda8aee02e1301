import type { CommandOutput } from './command-output.ts';
import type { ForgeClient } from './http-client.ts';

/** A flag as node:util parseArgs takes it, with what the help and the completion scripts say of it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help ("<id>"); string flags only. */
  value?: string;
  description: string;
  /** The values it takes, when there are few: offered by completion, checked before any request. */
  choices?: readonly string[];
}

export type FlagSpecs = Record<string, FlagSpec>;

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean' ? boolean | undefined : S['multiple'] extends true ? string[] | undefined : string | undefined;
export type FlagValues<F extends FlagSpecs> = { -readonly [K in keyof F]: FlagValue<F[K]> };

/** What every client command takes besides its own flags. */
export const GLOBAL_FLAGS = {
  server: { type: 'string', value: '<url>', description: 'the Forge Core server (FORGE_URL; default: the one FORGE_HOST, FORGE_PORT and $FORGE_HOME/config.json describe)' },
  token: {
    type: 'string',
    value: '<token>',
    description: "its API token (better FORGE_API_TOKEN, which ps does not show; either goes to whichever server is named. Default: config.json's apiToken, only for the configured server)",
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies FlagSpecs;

export interface CommandContext {
  /** How the user named it ("forgecore task create"), for usage errors. */
  name: string;
  /** The API of the server the flags, the environment or the configuration name; made at first use. */
  api(): ForgeClient;
  output: CommandOutput;
  /**
   * A command to suggest, from its words after `forgecore` (empty ones left out): with the
   * --server that chose this server, so it reaches the same one; never with the token.
   */
  forgecore(...parts: (string | false | null | undefined)[]): string;
}

export interface CommandInput<F extends FlagSpecs> {
  /** The positional arguments, as many as the command's `args` name. */
  args: string[];
  flags: FlagValues<F>;
}

/** One client command: `forgecore <noun> [<verb>]`, its arguments, flags, help and what it does. */
export interface ClientCommand<F extends FlagSpecs = FlagSpecs> {
  noun: string;
  /** Null for a noun that is a command by itself (`logs`, `executors`). */
  verb: string | null;
  summary: string;
  /** The positional arguments, all required, as the help names them ("<taskId>"). */
  args: readonly string[];
  /** The values its argument takes, when there are few: offered by completion, checked before it runs. */
  argChoices?: readonly string[];
  flags: F;
  /** One typical use, shown in the help. */
  example: string;
  /** Returns the exit code; throws a UsageError or a CommandFailure for the others. */
  run(context: CommandContext, input: CommandInput<F>): Promise<number>;
}

/** A command with its flags' types inferred from their declaration. */
export function defineCommand<const F extends FlagSpecs>(command: ClientCommand<F>): ClientCommand<F> {
  return command;
}

/** The `--json` flag of listings and shows: the API's JSON on stdout, nothing else. */
export const JSON_FLAG = { json: { type: 'boolean', description: "print the API's JSON answer, nothing else" } } as const satisfies FlagSpecs;

export const FOLLOW_FLAG = {
  follow: { type: 'boolean', short: 'f', description: 'stream the live log until the attempt ends; exit 0 only if it succeeded (Ctrl-C stops following, not the attempt)' },
} as const satisfies FlagSpecs;

/** `-q`: only the id of what was made, for scripts (`id=$(forgecore task create … -q)`), as docker does. */
export const QUIET_FLAG = { quiet: { type: 'boolean', short: 'q', description: 'print only the id of what was made' } } as const satisfies FlagSpecs;

/** A page of a long list, as the API pages it. */
export const PAGE_FLAGS = {
  limit: { type: 'string', value: '<n>', description: 'how many at most (1-1000, default 100)' },
  cursor: { type: 'string', value: '<cursor>', description: 'the page after this cursor (a list says so when there are more)' },
} as const satisfies FlagSpecs;
