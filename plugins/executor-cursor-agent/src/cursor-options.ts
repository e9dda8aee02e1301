import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';

/** 30 minutes: a long agent turn fits; a CLI waiting forever for a model it cannot reach does not. */
export const DEFAULT_TURN_TIMEOUT_MS = 30 * 60_000;

/** What an attempt (or a profile) may choose for one run of cursor-agent. */
export const cursorAgentOptionShape = {
  model: {
    type: 'string',
    maxLength: 200,
    description: 'The model (--model), as `cursor-agent models` lists it: sonnet-4, gpt-5, auto, … The `model` setting when empty, else Cursor\'s own default.',
  },
  force: {
    type: 'boolean',
    default: true,
    description:
      'Pass --force, which lets the agent write files and run commands. Print mode has no way to ask first: without it every edit and command is refused and the agent can only read and answer.',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments for cursor-agent, added last, one argument an item (`--sandbox`, `enabled`).',
  },
  apiKey: {
    type: 'secret',
    env: 'CURSOR_API_KEY',
    description: 'A Cursor API key for this run, given to cursor-agent as CURSOR_API_KEY; without it cursor-agent uses its own login (`cursor-agent login`).',
  },
  turnTimeoutMs: {
    type: 'number',
    integer: true,
    min: 1_000,
    max: 24 * 3_600_000,
    default: DEFAULT_TURN_TIMEOUT_MS,
    description: 'How long one run may take before it is stopped and fails. cursor-agent has no bound of its own, and a CLI that cannot reach its model may wait forever.',
  },
} as const satisfies OptionShape;

export type CursorAgentOptions = InferOptions<typeof cursorAgentOptionShape>;

/** The executor's settings on this server, under `executors.cursor-agent` in its configuration. */
export const cursorAgentConfigShape = {
  command: {
    type: 'string',
    default: 'cursor-agent',
    maxLength: 1000,
    description:
      'How to start Cursor\'s CLI: `cursor-agent`, `agent` (the name newer installs add), a path, or a command line (words split as a shell does for quotes and backslashes; nothing is expanded).',
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: 'The model of runs whose options name none; Cursor\'s own default when empty.',
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'Names of environment variables of the server to pass on to cursor-agent (CURSOR_API_KEY, HTTPS_PROXY, …); the agent otherwise sees only an allow-listed environment.',
  },
} as const satisfies OptionShape;

export type CursorAgentConfig = InferOptions<typeof cursorAgentConfigShape>;

/** The settings as the host validated them; a missing value gets its default, so a bare config still works. */
export function cursorAgentConfig(config: Readonly<Record<string, unknown>>): CursorAgentConfig {
  const model = stringAt(config, 'model');
  return {
    command: stringAt(config, 'command') ?? cursorAgentConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
