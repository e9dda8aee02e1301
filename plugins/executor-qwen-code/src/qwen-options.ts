import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';
import { acpSessionOptionShape } from '@forge-core/executor-acp/session';

/** How Qwen Code logs in for a run: `--auth-type <value>`, or none for what its own settings say. */
export const AUTH_TYPES = ['none', 'openai', 'qwen-oauth'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** What an attempt (or a profile) may choose for one run of Qwen Code. */
export const qwenOptionShape = {
  ...acpSessionOptionShape,
  mode: {
    ...acpSessionOptionShape.mode,
    description:
      "Qwen Code's session mode: default (asks before file edits and shell commands, qwen's own default, so empty means this), plan (analyses only), auto-edit (edits without asking), yolo (asks nothing). Its questions become approvals of the attempt.",
  },
  model: {
    ...acpSessionOptionShape.model,
    description:
      "The model: with authType openai, the endpoint's model name, given to qwen as OPENAI_MODEL; otherwise one of the session's model choices (ACP `model` config option). The `model` setting, or qwen's own default, when empty.",
  },
  authType: {
    type: 'enum',
    values: AUTH_TYPES,
    default: 'none',
    description:
      'How Qwen Code logs in: openai (`--auth-type openai`: an OpenAI-compatible endpoint with apiKey, baseUrl and model), qwen-oauth (Qwen Code 0.15 and earlier), or none to use what `qwen` saved in its own settings.',
  },
  apiKey: {
    type: 'secret',
    env: 'OPENAI_API_KEY',
    description: 'The API key of the OpenAI-compatible endpoint, given to qwen as OPENAI_API_KEY; qwen reads it with authType openai (or an openai login saved in its settings).',
  },
  baseUrl: {
    type: 'string',
    maxLength: 2000,
    pattern: '^https?://',
    description: 'The OpenAI-compatible endpoint, given to qwen as OPENAI_BASE_URL, such as https://dashscope-intl.aliyuncs.com/compatible-mode/v1; the endpoint qwen knows when empty.',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments after `--acp` and the auth type, such as ["--include-directories", "../shared"].',
  },
} as const satisfies OptionShape;

export type QwenOptions = InferOptions<typeof qwenOptionShape>;

/** The executor's settings on this server, under `executors.qwen-code` in its configuration. */
export const qwenConfigShape = {
  command: {
    type: 'string',
    default: 'qwen',
    maxLength: 1000,
    description: 'How to start Qwen Code: a command on the PATH, a path, or a command line such as `npx -y @qwen-code/qwen-code@0.15.10`.',
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: "The model when an attempt names none; qwen's own default when empty.",
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description:
      'Names of environment variables of the server to pass on to qwen (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, DASHSCOPE_API_KEY…); the agent otherwise sees only an allow-listed environment.',
  },
} as const satisfies OptionShape;

export type QwenConfig = InferOptions<typeof qwenConfigShape>;

/** The settings as the host validated them; a missing value gets its default, so a bare config still works. */
export function qwenConfig(config: Readonly<Record<string, unknown>>): QwenConfig {
  const model = stringAt(config, 'model');
  return {
    command: stringAt(config, 'command') ?? qwenConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
