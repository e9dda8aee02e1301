import { stringAt, stringsAt, type InferOptions, type OptionShape } from '@forge-core/sdk';
import { acpSessionOptionShape } from '@forge-core/executor-acp/session';

/** The environment variable copilot reads a token from first (before GH_TOKEN and GITHUB_TOKEN), and which the `gh` CLI the agent may run ignores. */
export const COPILOT_TOKEN_ENV = 'COPILOT_GITHUB_TOKEN';

/** What an attempt (or a profile) may choose for one run of copilot. */
export const copilotOptionShape = {
  ...acpSessionOptionShape,
  mode: {
    ...acpSessionOptionShape.mode,
    description:
      "Copilot's session mode: agent (its default, which asks before edits and commands), plan (plans and edits nothing) or autopilot (goes on without waiting for the user between steps, still asking for permissions); the mode's full ACP id works too. Copilot's own default when empty.",
  },
  model: {
    ...acpSessionOptionShape.model,
    description: "The model copilot uses (its `model` session option), such as claude-sonnet-4.5; the `model` setting, or copilot's own default, when empty.",
  },
  githubToken: {
    type: 'secret',
    env: COPILOT_TOKEN_ENV,
    description:
      'A GitHub token allowed to make Copilot requests (a fine-grained token with the "Copilot Requests" permission, or an OAuth token; copilot refuses classic ghp_ tokens), given to copilot as COPILOT_GITHUB_TOKEN. Without it copilot uses its own login.',
  },
  extraArgs: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: 'More arguments after `copilot --acp`, such as ["--disable-mcp-server", "<name>"] to keep a server of the repository\'s .mcp.json out of the run.',
  },
} as const satisfies OptionShape;

export type CopilotOptions = InferOptions<typeof copilotOptionShape>;

/** The executor's settings on this server, under `executors.copilot` in its configuration. */
export const copilotConfigShape = {
  command: {
    type: 'string',
    default: 'copilot',
    maxLength: 1000,
    description: 'How to start GitHub Copilot CLI: a command on the PATH, a path, or a command line such as `npx -y @github/copilot@1.0.102`.',
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: "The model when an attempt names none; copilot's own default when empty.",
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description:
      "Names of the server's environment variables to pass on to copilot (COPILOT_GITHUB_TOKEN, GH_TOKEN, COPILOT_CACHE_HOME…); the agent otherwise sees only an allow-listed environment.",
  },
} as const satisfies OptionShape;

export type CopilotConfig = InferOptions<typeof copilotConfigShape>;

/** The settings as the host validated them; a missing value gets its default, so a bare config still works. */
export function copilotConfig(config: Readonly<Record<string, unknown>>): CopilotConfig {
  const model = stringAt(config, 'model');
  return {
    command: stringAt(config, 'command') ?? copilotConfigShape.command.default,
    model: model === '' ? undefined : model,
    passEnv: stringsAt(config, 'passEnv'),
  };
}
