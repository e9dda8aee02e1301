import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';

/** What an attempt (or a profile) may choose for one run of amp. */
export const ampOptionShape = {
  mode: {
    type: 'string',
    maxLength: 50,
    pattern: '^([a-z][a-z0-9-]*)?$',
    description:
      "Amp's agent mode (--mode), such as smart, rush or deep; Amp has no model choice, its modes pick the models. The setting `mode`, or Amp's own default, when empty. Amp may refuse a mode in execute mode.",
  },
  allowAll: {
    type: 'boolean',
    default: true,
    description:
      'Run every tool without asking (--dangerously-allow-all). Amp in execute mode has nobody to ask, so without it a tool call its permission rules (amp.permissions in its settings) would ask about may be refused.',
  },
  thinking: {
    type: 'boolean',
    default: false,
    description: "Include Amp's thinking blocks in its output (--stream-json-thinking); they become thinking events.",
  },
  visibility: {
    type: 'enum',
    values: ['private', 'public', 'workspace', 'group'],
    description: "Who may see the Amp thread of this run on ampcode.com (--visibility); Amp's own default when not given.",
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments for amp, added last, one argument an item: ["--log-level", "debug"].',
  },
  apiKey: {
    type: 'secret',
    env: 'AMP_API_KEY',
    description: 'An Amp API key (ampcode.com/settings), given to amp as AMP_API_KEY. Without it amp uses the login of the account Forge runs as (`amp login`); with neither it cannot run.',
  },
  turnTimeoutMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 7 * 24 * 3_600_000,
    default: 3_600_000,
    description: 'How long the run may take before amp is stopped and the run fails; 0 for no limit.',
  },
  idleTimeoutMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 24 * 3_600_000,
    default: 1_800_000,
    description:
      'How long amp may print nothing before it is stopped and the run fails; 0 for no limit. Amp is silent while a long command of its own runs, so keep it above your slowest build or test run.',
  },
} as const satisfies OptionShape;

export type AmpOptions = InferOptions<typeof ampOptionShape>;

/** The executor's settings on this server, under `executors.amp` in its configuration. */
export const ampConfigShape = {
  command: {
    type: 'string',
    default: 'amp',
    maxLength: 1000,
    description:
      'How to start Amp: `amp`, a path, or a command line such as `npx -y @sourcegraph/amp@0.0.1790142911-g7618fb` (words split as a shell does for quotes and backslashes; nothing is expanded).',
  },
  mode: {
    type: 'string',
    maxLength: 50,
    pattern: '^([a-z][a-z0-9-]*)?$',
    description: 'The agent mode of runs whose options name none.',
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 100,
    description: 'Names of environment variables of the server to hand to amp (AMP_API_KEY, AMP_URL, AMP_SETTINGS_FILE, HTTPS_PROXY…); the host passes only an allow-list otherwise.',
  },
} as const satisfies OptionShape;

export type AmpSettings = InferOptions<typeof ampConfigShape>;

/** The settings from `ctx.config`, which the host validated against the shape above; defaults where a value is missing. */
export function ampSettings(config: Readonly<Record<string, unknown>>): AmpSettings {
  const mode = stringAt(config, 'mode');
  return {
    command: stringAt(config, 'command') ?? ampConfigShape.command.default,
    mode: mode === '' ? undefined : mode,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
