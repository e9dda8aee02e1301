import type { InferOptions, OptionShape } from '@forge-core/sdk';

/** What one run of an ACP agent asks for; every ACP pack builds one from its options and settings. */
export interface AcpRunPlan {
  /** The agent in a person's words, for messages: "Gemini CLI". */
  agentName: string;
  command: string;
  args: readonly string[];
  /** On top of the host's allow-listed environment. */
  env: Readonly<Record<string, string>>;
  prompt: string;
  /** The session a follow-up continues. */
  resumeSessionId?: string;
  /** A session mode to switch to (`session/set_mode`), such as gemini's `default`, which asks before edits. */
  mode?: string;
  /** A model to switch to (the session's `model` config option, or `session/set_model` on older agents). */
  model?: string;
  /** How long one turn may take; 0 for no limit. */
  turnTimeoutMs: number;
  /** How long the agent may stay silent while it works (not while it waits for an approval); 0 for no limit. */
  idleTimeoutMs: number;
  /** What to do when the agent says it is not logged in: "Run `gemini` once to log in, or give the executor an API key". */
  authHint: string;
}

/** The options every ACP pack offers for the session and its bounds; a pack spreads them into its own. */
export const acpSessionOptionShape = {
  mode: {
    type: 'string',
    maxLength: 100,
    description: "The agent's session mode (ACP session/set_mode), such as a mode that asks before edits; the agent's own default when empty.",
  },
  model: {
    type: 'string',
    maxLength: 200,
    description: "The model the session uses (the agent's `model` config option); the agent's own default when empty.",
  },
  turnTimeoutMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 7 * 24 * 3_600_000,
    default: 3_600_000,
    description: 'How long one turn may take before the run is stopped and fails; 0 for no limit.',
  },
  idleTimeoutMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 24 * 3_600_000,
    default: 600_000,
    description:
      'How long the agent may stay silent (no update, no request) before the run is stopped and fails; 0 for no limit. Several ACP agents retry an unreachable model without a word; time waiting for an approval does not count.',
  },
} as const satisfies OptionShape;

export type AcpSessionOptions = InferOptions<typeof acpSessionOptionShape>;

/** An empty text option means "the agent's default". */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
