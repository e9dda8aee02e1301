import semver from 'semver';
import { SDK_CONTRACT_VERSION } from '@forge-core/sdk';

/**
 * Whether a pack's `forge.sdk` range accepts this host's contract version. A range must pin a
 * major ("^1.2.0", "1.x"), or a future breaking contract would silently satisfy it.
 */
export function checkSdkRange(pack: { name: string; version: string }, range: string): string | null {
  const packName = `${pack.name}@${pack.version}`;
  const parsed = semver.validRange(range);
  if (!parsed) return `Plugin ${packName} declares "sdk": "${range}", which is not a semver range; use e.g. "^1.0.0".`;
  const floor = semver.minVersion(parsed);
  const nextMajor = floor ? `${floor.major + 1}.0.0` : null;
  if (!floor || (nextMajor && semver.satisfies(nextMajor, parsed, { includePrerelease: true }))) {
    return `Plugin ${packName} declares "sdk": "${range}", which does not pin a major; use e.g. "^${SDK_CONTRACT_VERSION}".`;
  }
  if (!semver.satisfies(SDK_CONTRACT_VERSION, parsed, { includePrerelease: true })) {
    return `Plugin ${packName} requires forge SDK ${range} but this host implements ${SDK_CONTRACT_VERSION}; install a version built for SDK ^${semver.major(SDK_CONTRACT_VERSION)} (\`forgecore plugins add ${pack.name}@<version>\`) or turn it off (\`forgecore plugins disable ${pack.name}\`).`;
  }
  return null;
}
