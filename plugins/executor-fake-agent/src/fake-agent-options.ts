import type { InferOptions, OptionShape } from '@forge-core/sdk';

export const fakeAgentOptionShape = {
  scenario: {
    type: 'enum',
    values: ['success', 'fail', 'hang', 'garbage', 'crash', 'rate-limit'],
    default: 'success',
    description:
      'What the fake CLI does: finish the task, fail, hang until stopped, mix garbage into its output, crash, or be refused by a rate limit (as Claude Code reports one) for its first `rateLimitedRuns` runs in a worktree and then finish the task.',
  },
  rateLimitedRuns: {
    type: 'number',
    integer: true,
    min: 0,
    max: 100,
    description: 'With scenario rate-limit: how many runs in the same worktree are refused before one succeeds (default 1).',
  },
  rateLimitResetMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 86_400_000,
    description: 'With scenario rate-limit: when the limit resets, from now (reported in whole seconds, as Claude does; default 2000).',
  },
  delayMs: {
    type: 'number',
    integer: true,
    min: 0,
    max: 60000,
    default: 0,
    description: 'A pause before each message, to watch events stream in.',
  },
  ignoreSigterm: {
    type: 'boolean',
    default: false,
    description: 'Survive SIGTERM, so stopping the attempt needs SIGKILL.',
  },
  model: {
    type: 'string',
    maxLength: 100,
    description: 'Passed as --model and reported back in the session event.',
  },
} as const satisfies OptionShape;

export type FakeAgentOptions = InferOptions<typeof fakeAgentOptionShape>;
