import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';
import { acpSessionOptionShape } from '@forge-core/executor-acp/session';

/** The flags that start gemini in ACP mode; `auto` picks one by the installed version. */
export const ACP_FLAG_CHOICES = ['auto', '--acp', '--experimental-acp'] as const;
export type AcpFlagChoice = (typeof ACP_FLAG_CHOICES)[number];

/** What an attempt (or a profile) may choose for one run of gemini. */
export const geminiOptionShape = {
  ...acpSessionOptionShape,
  mode: {
    ...acpSessionOptionShape.mode,
    description:
      "Gemini's session mode: default (asks before edits and commands, gemini's own default, so empty means this), autoEdit (edits without asking), yolo (asks nothing), plan (read-only). Its questions become approvals of the attempt.",
  },
  model: {
    ...acpSessionOptionShape.model,
    description: 'The model the session uses (ACP session/set_model), such as gemini-2.5-pro; the `model` setting, or gemini\'s own default (auto), when empty.',
  },
  apiKey: {
    type: 'secret',
    env: 'GEMINI_API_KEY',
    description: 'A Gemini API key for this run, given to gemini as GEMINI_API_KEY; without it gemini uses its own login (run `gemini` once to log in).',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments after the ACP flag, such as ["--include-directories", "../shared"].',
  },
} as const satisfies OptionShape;

export type GeminiOptions = InferOptions<typeof geminiOptionShape>;

/** The executor's settings on this server, under `executors.gemini` in its configuration. */
export const geminiConfigShape = {
  command: {
    type: 'string',
    default: 'gemini',
    maxLength: 1000,
    description: 'How to start Gemini CLI: a command on the PATH, a path, or a command line such as `npx -y @google/gemini-cli@0.61.0`.',
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: "The model when an attempt names none; gemini's own default when empty.",
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description:
      'Names of environment variables of the server to pass on to gemini (GEMINI_API_KEY, GOOGLE_API_KEY, GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_CLOUD_PROJECT…); the agent otherwise sees only an allow-listed environment.',
  },
  acpFlag: {
    type: 'enum',
    values: ACP_FLAG_CHOICES,
    default: 'auto',
    description:
      'The flag that starts gemini in ACP mode: --acp (Gemini CLI 0.34.0 and later), --experimental-acp (earlier versions; later ones still take it, deprecated), or auto to choose by the version detect found.',
  },
} as const satisfies OptionShape;

export type GeminiConfig = InferOptions<typeof geminiConfigShape>;

function isAcpFlagChoice(value: string | undefined): value is AcpFlagChoice {
  return (ACP_FLAG_CHOICES as readonly (string | undefined)[]).includes(value);
}

/** The settings as the host validated them; a missing value gets its default, so a bare config still works. */
export function geminiConfig(config: Readonly<Record<string, unknown>>): GeminiConfig {
  const model = stringAt(config, 'model');
  const acpFlag = stringAt(config, 'acpFlag');
  return {
    command: stringAt(config, 'command') ?? geminiConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
    acpFlag: isAcpFlagChoice(acpFlag) ? acpFlag : geminiConfigShape.acpFlag.default,
  };
}
