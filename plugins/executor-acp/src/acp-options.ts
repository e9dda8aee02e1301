import { stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';
import { acpSessionOptionShape } from './acp-run-plan.ts';

/** `NAME=value`, the way an environment entry is written on a command line. */
export const ENV_ENTRY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * What a profile of the generic `acp` executor says: which agent to start and how, then the
 * session options every ACP pack shares. Profiles in config.json name each agent once
 * (`goose` → `goose acp`, `kiro` → `kiro-cli acp`); README.md shows them.
 */
export const acpOptionShape = {
  command: {
    type: 'string',
    required: true,
    maxLength: 4096,
    // One word on purpose: a command line pasted here (`goose acp`) is the commonest mistake, and its arguments belong in args.
    pattern: '^\\S+$',
    description: 'The agent\'s executable: a name looked up on PATH (goose), or an absolute path. Arguments go in args.',
  },
  args: {
    type: 'string[]',
    default: [],
    maxItems: 100,
    description: 'The arguments that start the agent in ACP mode over stdio, such as ["acp"] for goose or ["--acp"] for gemini.',
  },
  env: {
    type: 'string[]',
    default: [],
    maxItems: 100,
    description: 'Environment entries for the agent, each `NAME=value` (no secrets here: they show in the profile; use token and tokenEnv).',
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: "Names of the server's environment variables handed to the agent as they are (an API key the server holds, a proxy setting).",
  },
  token: {
    type: 'secret',
    description: 'A credential for the agent (an API key), kept out of logs and the API; the run sets it in the environment variable tokenEnv names.',
  },
  tokenEnv: {
    type: 'string',
    maxLength: 100,
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    description: 'The environment variable the agent reads token from, such as GEMINI_API_KEY.',
  },
  ...acpSessionOptionShape,
} as const satisfies OptionShape;

export type AcpOptions = InferOptions<typeof acpOptionShape>;

/** The executor's settings on this server, under `executors.acp` in its configuration. */
export const acpConfigShape = {
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: "Names of the server's environment variables every ACP agent run by this executor gets, on top of a profile's own passEnv.",
  },
} as const satisfies OptionShape;

export function acpPassEnvSetting(config: Readonly<Record<string, unknown>>): string[] {
  return stringsAt(config, 'passEnv');
}
