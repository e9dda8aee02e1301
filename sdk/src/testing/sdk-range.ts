/**
 * `forge.sdk` ranges read the way the host reads them (node-semver), without a semver library: the
 * SDK depends on nothing. It understands the forms a manifest uses — "1.2.3", "^1.2.0", "~1.2",
 * "1", "1.x", "1.2.*", ">=1.0.0 <2.0.0", ">1.2", "<=1.4.0", "1.0.0 - 1.4.0" and alternatives
 * joined by "||" — and reads nothing else (prerelease tags included), so the kit reports a range
 * it cannot read rather than guess what the host makes of it.
 */

type Version = readonly [major: number, minor: number, patch: number];

interface Comparator {
  operator: '<' | '<=' | '>' | '>=' | '=';
  version: Version;
}

/** Versions that satisfy every comparator; an empty set is satisfied by every version. */
type ComparatorSet = readonly Comparator[];

/** Alternatives ("||"): a version satisfies the range when it satisfies one of them. */
export type SdkRange = readonly ComparatorSet[];

/** A version as a range may write it, a part left out or written x or * being undefined: "1", "1.x", "1.2.*". */
type PartialVersion = readonly [major?: number, minor?: number, patch?: number];

const PART = String.raw`(0|[1-9]\d*|[xX*])`;
const TOKEN = new RegExp(String.raw`^(<=|>=|<|>|=|\^|~)?v?${PART}(?:\.${PART})?(?:\.${PART})?$`);
const HYPHEN = /^(\S+)\s+-\s+(\S+)$/;
/** Matches no version, as node-semver reads "<*" and ">*". */
const NOTHING: ComparatorSet = [{ operator: '<', version: [0, 0, 0] }];

/** The parts, or null for a number after a wildcard ("1.x.3"), which node-semver reads one way after "^" and refuses after ">". */
function partialVersion(parts: readonly (string | undefined)[]): PartialVersion | null {
  const [major, minor, patch] = parts.map((part) => (part === undefined || /[xX*]/.test(part) ? undefined : Number(part)));
  if ((major === undefined && minor !== undefined) || (minor === undefined && patch !== undefined)) return null;
  return [major, minor, patch];
}

/** What one operator and version mean as plain comparators, following node-semver's desugaring. */
function desugar(operator: string, [major, minor, patch]: PartialVersion): ComparatorSet {
  if (major === undefined) return operator === '<' || operator === '>' ? NOTHING : [];
  const low: Version = [major, minor ?? 0, patch ?? 0];
  // The first version past everything the partial version names: "1" → 2.0.0, "1.2" → 1.3.0.
  const past: Version = minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0];
  const exact = patch !== undefined;
  switch (operator) {
    case '^': {
      // Up to the next change of the left-most non-zero part given: ^1.2 < 2.0.0, ^0.2 < 0.3.0, ^0.0.2 < 0.0.3.
      const upper: Version = major > 0 || minor === undefined ? [major + 1, 0, 0] : minor > 0 || !exact ? [0, minor + 1, 0] : [0, 0, patch + 1];
      return [{ operator: '>=', version: low }, { operator: '<', version: upper }];
    }
    case '~':
      return [{ operator: '>=', version: low }, { operator: '<', version: past }];
    case '>=':
      return [{ operator: '>=', version: low }];
    case '<':
      return [{ operator: '<', version: low }];
    case '>':
      return [exact ? { operator: '>', version: low } : { operator: '>=', version: past }];
    case '<=':
      return [exact ? { operator: '<=', version: low } : { operator: '<', version: past }];
    default: // "" or "="
      return exact ? [{ operator: '=', version: low }] : [{ operator: '>=', version: low }, { operator: '<', version: past }];
  }
}

function parseAlternative(alternative: string): ComparatorSet | null {
  const hyphen = HYPHEN.exec(alternative);
  // "1.0.0 - 1.4" is ">=1.0.0 <=1.4"; a bound that already has an operator then fails to parse, as it should.
  const tokens = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : alternative.replace(/(<=|>=|<|>|=|\^|~)\s+/g, '$1').split(/\s+/);
  const set: Comparator[] = [];
  for (const token of tokens) {
    const match = TOKEN.exec(token);
    const version = match && partialVersion(match.slice(2));
    if (!version) return null;
    set.push(...desugar(match[1] ?? '', version));
  }
  return set;
}

/** The range, or null when it uses a form this reader does not know. */
export function parseSdkRange(range: string): SdkRange | null {
  const alternatives = range.split('||').map((alternative) => parseAlternative(alternative.trim()));
  return alternatives.every((set) => set !== null) ? alternatives : null;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function satisfiesSet(version: Version, set: ComparatorSet): boolean {
  return set.every(({ operator, version: bound }) => {
    const order = compare(version, bound);
    return { '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0, '=': order === 0 }[operator];
  });
}

/** Whether a release version ("1.0.0") satisfies the range; a version of another form throws, being the kit's own mistake. */
export function satisfies(version: string, range: SdkRange): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new TypeError(`satisfies: ${JSON.stringify(version)} is not a release version such as 1.0.0`);
  const parsed: Version = [Number(match[1]), Number(match[2]), Number(match[3])];
  return range.some((set) => satisfiesSet(parsed, set));
}

/**
 * The one major every alternative stays within, or null when the range allows several. An
 * alternative is an interval, so it stays within the major of its lowest version exactly when
 * the next major's first version is outside it.
 */
export function pinnedMajor(range: SdkRange): number | null {
  const majors = range.map((set) => {
    const major = Math.max(0, ...set.filter(({ operator }) => operator !== '<' && operator !== '<=').map(({ version }) => version[0]));
    return satisfiesSet([major + 1, 0, 0], set) ? null : major;
  });
  const first = majors[0];
  return first !== undefined && first !== null && majors.every((major) => major === first) ? first : null;
}
