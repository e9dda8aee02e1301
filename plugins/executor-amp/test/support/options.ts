import type { AmpOptions } from '../../src/amp-options.ts';

/** The options a run gets when it names none, as the host fills in the defaults. */
export const DEFAULT_OPTIONS: AmpOptions = Object.freeze({
  mode: undefined,
  allowAll: true,
  thinking: false,
  visibility: undefined,
  extraArgs: [],
  apiKey: undefined,
  turnTimeoutMs: 3_600_000,
  idleTimeoutMs: 1_800_000,
});

export const withOptions = (options: Partial<AmpOptions>): AmpOptions => ({ ...DEFAULT_OPTIONS, ...options });
