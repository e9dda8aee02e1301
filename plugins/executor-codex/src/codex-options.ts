import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';

/** What an attempt (or a profile) may choose for one run of codex. */
export const codexOptionShape = {
  model: {
    type: 'string',
    maxLength: 100,
    description: 'The model codex uses (thread/start `model`); the `model` setting, or codex\'s own default, when empty.',
  },
  sandbox: {
    type: 'enum',
    values: ['read-only', 'workspace-write', 'danger-full-access'],
    default: 'workspace-write',
    description: 'What codex\'s sandbox lets commands touch: workspace-write lets the agent edit the worktree, read-only blocks every write.',
  },
  approvalPolicy: {
    type: 'enum',
    values: ['untrusted', 'on-request', 'never'],
    default: 'on-request',
    description:
      'When codex asks before a command or an edit: untrusted (all but known-safe commands), on-request (when the model asks to leave the sandbox), never. Its questions become approvals of the attempt.',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments after `codex app-server`, such as `-c`, `model_reasoning_effort="high"`.',
  },
  apiKey: {
    type: 'secret',
    env: 'OPENAI_API_KEY',
    description: 'An OpenAI API key for this run, given to codex as OPENAI_API_KEY; without it codex uses its own login (`codex login`).',
  },
  maxReconnectWaitMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 3_600_000,
    default: 300_000,
    description:
      'How long codex may keep retrying to reach the model before the run is stopped and fails. Codex itself retries forever when the network is down; 0 fails at the first retry.',
  },
} as const satisfies OptionShape;

export type CodexOptions = InferOptions<typeof codexOptionShape>;

/** The executor's settings on this server, under `executors.codex` in its configuration. */
export const codexConfigShape = {
  command: {
    type: 'string',
    default: 'codex',
    maxLength: 1000,
    description: 'How to start codex: a command on the PATH, a path, or a command line such as `npx -y @openai/codex@0.171.0`.',
  },
  model: {
    type: 'string',
    maxLength: 100,
    description: 'The model when an attempt names none; codex\'s own default when empty.',
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'Names of environment variables of the server to pass on to codex (OPENAI_API_KEY, CODEX_HOME…); codex 0.171 ignores OPENAI_BASE_URL, so set the endpoint with extraArgs ["-c", "openai_base_url=\\"…\\""]; the agent otherwise sees only an allow-listed environment.',
  },
} as const satisfies OptionShape;

export type CodexConfig = InferOptions<typeof codexConfigShape>;

/** The settings as the host validated them; a missing value gets its default, so a bare config still works. */
export function codexConfig(config: Readonly<Record<string, unknown>>): CodexConfig {
  const model = stringAt(config, 'model');
  return {
    command: stringAt(config, 'command') ?? codexConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
