import { customOptionShape, type CustomOptions } from '../../src/custom-options.ts';

/** A profile's options as the host hands them to a run: what the profile gives, the descriptors' defaults for the rest. */
export function profileOptions(given: Partial<CustomOptions> & Pick<CustomOptions, 'command'>): CustomOptions {
  const defaults = Object.fromEntries(Object.entries(customOptionShape).map(([name, descriptor]) => [name, 'default' in descriptor ? descriptor.default : undefined]));
  return { ...defaults, ...given } as CustomOptions;
}
