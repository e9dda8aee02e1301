import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions'] as const;

/** Per attempt or profile. */
export const claudeCodeOptionShape = {
  model: {
    type: 'string',
    maxLength: 200,
    description: 'The model (--model): a name such as claude-sonnet-4-5 or an alias such as opus. The setting `model` when not given, else Claude\'s own default.',
  },
  permissionMode: {
    type: 'enum',
    values: PERMISSION_MODES,
    default: 'default',
    description:
      'default: every tool Claude asks about (edits, commands) waits for an approval in Forge. acceptEdits: file edits go ahead, commands still ask. plan: Claude only plans, changing nothing. bypassPermissions: nothing asks.',
  },
  maxTurns: {
    type: 'number',
    integer: true,
    min: 1,
    max: 10000,
    description: 'Stop after this many agentic turns (--max-turns).',
  },
  allowedTools: {
    type: 'string[]',
    default: [],
    maxItems: 100,
    description: 'Tools that run without asking (--allowedTools), in Claude\'s rule syntax: Read, Bash(npm test:*).',
  },
  disallowedTools: {
    type: 'string[]',
    default: [],
    maxItems: 100,
    description: 'Tools Claude may not use at all (--disallowedTools), in the same syntax.',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments for claude, added last, one argument an item.',
  },
  apiKey: {
    type: 'secret',
    env: 'ANTHROPIC_API_KEY',
    description: 'An Anthropic API key, given to Claude as ANTHROPIC_API_KEY. Leave it out to use the login of the account Forge runs as.',
  },
} as const satisfies OptionShape;

export type ClaudeCodeOptions = InferOptions<typeof claudeCodeOptionShape>;

/** Per server, under `executors.claude-code` in its configuration. */
export const claudeCodeConfigShape = {
  command: {
    type: 'string',
    default: 'claude',
    maxLength: 1000,
    description: 'How to start Claude Code: `claude`, a path, or a command line such as `npx -y @anthropic-ai/claude-code@2.1.197` (words split as a shell does for quotes and backslashes; nothing is expanded).',
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: 'The model of runs whose options name none.',
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 100,
    description: 'Names of more environment variables of the server to hand to Claude (CLAUDE_CODE_USE_BEDROCK, ANTHROPIC_BASE_URL, …); the host passes only an allow-list otherwise.',
  },
} as const satisfies OptionShape;

export type ClaudeCodeSettings = InferOptions<typeof claudeCodeConfigShape>;

/** The settings from `ctx.config`, which the host validated against the shape above; defaults where a value is missing. */
export function claudeCodeSettings(config: Readonly<Record<string, unknown>>): ClaudeCodeSettings {
  const model = stringAt(config, 'model');
  return {
    command: stringAt(config, 'command') ?? claudeCodeConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
