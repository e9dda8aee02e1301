import type { InferOptions, OptionShape } from '@forge-core/sdk';

export const fakeAgentOptionShape = {
  scenario: {
    type: 'enum',
    values: ['success', 'fail', 'hang', 'garbage', 'crash'],
    default: 'success',
    description: 'What the fake CLI does: finish the task, fail, hang until stopped, mix garbage into its output, or crash.',
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
