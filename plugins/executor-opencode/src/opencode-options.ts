import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';
import { acpSessionOptionShape } from '@forge-core/executor-acp/session';

/** The provider keys an attempt may give as options, by the environment variable opencode reads each from. */
export const PROVIDER_KEY_ENVS = { anthropicApiKey: 'ANTHROPIC_API_KEY', openaiApiKey: 'OPENAI_API_KEY' } as const;

/** What an attempt (or a profile) may choose for one run of opencode. */
export const opencodeOptionShape = {
  ...acpSessionOptionShape,
  mode: {
    ...acpSessionOptionShape.mode,
    description:
      "OpenCode's agent for the session (its `mode` session option): build (its default, which acts, asking as the permission option says) or plan (edits nothing). OpenCode's own default when empty.",
  },
  model: {
    ...acpSessionOptionShape.model,
    description: 'The model as provider/model, such as anthropic/claude-sonnet-4 (its `model` session option); the `model` setting, or opencode\'s own default, when empty.',
  },
  idleTimeoutMs: {
    ...acpSessionOptionShape.idleTimeoutMs,
    description: `How long opencode may stay silent (no update, no request) before the run is stopped and fails; 0 for no limit. Opencode that cannot reach its model (offline, a refused key) answers nothing and retries forever, so this bound, ${acpSessionOptionShape.idleTimeoutMs.default / 60_000} minutes unless set, is what ends such a run. Time waiting for an approval does not count.`,
  },
  permission: {
    type: 'enum',
    values: ['ask', 'allow'],
    default: 'ask',
    description:
      'Whether opencode asks before it edits a file, runs a shell command or fetches a URL (each question an approval of the attempt), or does all three without asking. Set through OPENCODE_PERMISSION, over the permission rules of opencode\'s own configuration.',
  },
  anthropicApiKey: {
    type: 'secret',
    env: PROVIDER_KEY_ENVS.anthropicApiKey,
    description: 'An Anthropic API key for this run, given to opencode as ANTHROPIC_API_KEY.',
  },
  openaiApiKey: {
    type: 'secret',
    env: PROVIDER_KEY_ENVS.openaiApiKey,
    description: 'An OpenAI API key for this run, given to opencode as OPENAI_API_KEY.',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments after `opencode acp`, such as ["--print-logs"] to see on stderr what opencode does while it is silent.',
  },
} as const satisfies OptionShape;

export type OpencodeOptions = InferOptions<typeof opencodeOptionShape>;

/** The executor's settings on this server, under `executors.opencode` in its configuration. */
export const opencodeConfigShape = {
  command: {
    type: 'string',
    default: 'opencode',
    maxLength: 1000,
    description: 'How to start OpenCode: a command on the PATH, a path, or a command line such as `npx -y opencode-ai@1.18.33`.',
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: "The model (provider/model) when an attempt names none; opencode's own default when empty.",
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description:
      "Names of the server's environment variables to pass on to opencode: provider keys (ANTHROPIC_API_KEY, OPENAI_API_KEY, OPENROUTER_API_KEY…), OPENCODE_CONFIG…; the agent otherwise sees only an allow-listed environment.",
  },
} as const satisfies OptionShape;

export type OpencodeConfig = InferOptions<typeof opencodeConfigShape>;

/** The settings as the host validated them; a missing value gets its default, so a bare config still works. */
export function opencodeConfig(config: Readonly<Record<string, unknown>>): OpencodeConfig {
  const model = stringAt(config, 'model');
  return {
    command: stringAt(config, 'command') ?? opencodeConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
