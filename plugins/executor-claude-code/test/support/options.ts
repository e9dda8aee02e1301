import type { ClaudeCodeOptions } from '../../src/claude-code-options.ts';

/** The options a run gets when it names none, as the host fills in the defaults. */
export const DEFAULT_OPTIONS: ClaudeCodeOptions = Object.freeze({
  model: undefined,
  permissionMode: 'default',
  maxTurns: undefined,
  allowedTools: [],
  disallowedTools: [],
  extraArgs: [],
  apiKey: undefined,
});

export const withOptions = (options: Partial<ClaudeCodeOptions>): ClaudeCodeOptions => ({ ...DEFAULT_OPTIONS, ...options });
