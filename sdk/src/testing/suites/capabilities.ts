import { describeValue } from '../problems.ts';

/**
 * Problems with a capabilities object against the contract's exhaustive list of flags: each
 * flag present and a boolean, none unknown (a misspelt flag would silently read as false).
 */
export function capabilityProblems(capabilities: unknown, flags: readonly string[], optional: readonly string[] = []): string[] {
  if (typeof capabilities !== 'object' || capabilities === null) return [`capabilities must be an object, received ${describeValue(capabilities)}`];
  const declared = capabilities as Record<string, unknown>;
  return [
    ...flags
      // A flag added after contract 1.0 may be left out by a pack built before it.
      .filter((flag) => typeof declared[flag] !== 'boolean' && !(optional.includes(flag) && declared[flag] === undefined))
      .map((flag) => `capabilities.${flag} must be true or false, received ${describeValue(declared[flag])}`),
    ...Object.keys(declared).filter((flag) => !flags.includes(flag)).map((flag) => `capabilities.${flag} is not a capability (known: ${flags.join(', ')})`),
  ];
}
