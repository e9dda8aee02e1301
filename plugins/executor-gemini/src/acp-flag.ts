export type AcpFlag = '--acp' | '--experimental-acp';

/**
 * The first release with `--acp`: google-gemini/gemini-cli#21171 ("rename --experimental-acp to
 * --acp") is in the v0.34.0 changelog, not in v0.33.x. Later releases keep `--experimental-acp`
 * as a deprecated alias (0.61.0 still takes it), so an older gemini is the only one that needs it.
 */
export const FIRST_VERSION_WITH_ACP_FLAG = [0, 34, 0] as const;

const RELEASE = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?/;

/**
 * The ACP flag for a version `gemini --version` printed. A pre-release of 0.34.0 (a nightly
 * may predate the rename) counts as older, as semver orders it. Undefined for text that is not
 * a version.
 */
export function acpFlagForVersion(version: string): AcpFlag | undefined {
  const match = RELEASE.exec(version.trim());
  if (match === null) return undefined;
  const parts = [Number(match[1]), Number(match[2]), Number(match[3])];
  const preRelease = match[4] !== undefined;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as number;
    const first = FIRST_VERSION_WITH_ACP_FLAG[index] as number;
    if (part !== first) return part > first ? '--acp' : '--experimental-acp';
  }
  return preRelease ? '--experimental-acp' : '--acp';
}
