/**
 * The gemini version last seen for each `command` setting, by detect or by a run that asked
 * itself. `gemini --version` takes about 3 s, so a run reuses what detect found instead of
 * asking again. Kept for the life of the server process; detect runs again when the host
 * re-checks executors, which refreshes it after an upgrade.
 */
const versions = new Map<string, string>();

export function rememberVersion(command: string, version: string): void {
  versions.set(command, version);
}

export function knownVersion(command: string): string | undefined {
  return versions.get(command);
}
