/** Which packs may load: the config's allow and deny lists plus what the user disabled. */
export interface PluginSelection {
  /** Package-name patterns; null lets every pack load. */
  enabled: readonly string[] | null;
  /** Package-name patterns from the configuration. */
  disabled: readonly string[];
  /** Package names disabled with `forgecore plugins disable`. */
  disabledByUser: readonly string[];
}

/** Why a pack is kept from loading, in a sentence that says how to change it, or null. */
export function whyDisabled(name: string, selection: PluginSelection): string | null {
  if (selection.disabledByUser.includes(name)) return `${name} is disabled; enable it with \`forgecore plugins enable ${name}\`.`;
  const denied = selection.disabled.find((pattern) => matches(pattern, name));
  if (denied) return `${name} is disabled by the configuration (pluginsDisabled: "${denied}").`;
  if (selection.enabled && !selection.enabled.some((pattern) => matches(pattern, name))) {
    return `${name} is not in the configuration's pluginsEnabled list.`;
  }
  return null;
}

/** `*` matches any run of characters, slashes included ("@acme/*", "forge-executor-*"). */
export function matches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}
