/**
 * Which major of the contract a `forge.sdk` range allows, read without a semver library (the kit
 * depends on nothing). It understands the forms packs use — "^1.2.0", "~1.2", "1.x", "1",
 * ">=1.2.0 <2.0.0", "1.0.0 - 1.4.0" and alternatives joined by "||" — and answers null for
 * anything else, so a range it cannot prove pins a major is reported rather than trusted.
 */

const VERSION = String.raw`v?(\d+)(?:\.(?:\d+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?`;
const EXACT_OR_TILDE_OR_CARET = new RegExp(String.raw`^(?:\^|~>?|=)?\s*${VERSION}$`);
const HYPHEN = new RegExp(String.raw`^${VERSION}\s+-\s+${VERSION}$`);
const BOUNDED = new RegExp(String.raw`^>=?\s*${VERSION}\s+(<=?)\s*(v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?)$`);

/** The one major an alternative of a range allows, or null. */
function majorOf(alternative: string): number | null {
  const simple = EXACT_OR_TILDE_OR_CARET.exec(alternative);
  if (simple) return Number(simple[1]);
  const hyphen = HYPHEN.exec(alternative);
  if (hyphen) return hyphen[1] === hyphen[2] ? Number(hyphen[1]) : null;
  const bounded = BOUNDED.exec(alternative);
  if (!bounded) return null;
  const lower = Number(bounded[1]);
  const upper = Number(bounded[4]);
  if (upper === lower) return lower;
  // "<2.0.0", "<2.0" and "<2" stop just before the next major; "<=2…" lets it in.
  const belowNextMajor = bounded[2] === '<' && upper === lower + 1 && [bounded[5], bounded[6]].every((part) => part === undefined || part === '0');
  return belowNextMajor ? lower : null;
}

/** The single major the range pins, or null when it allows several (or cannot be read). */
export function pinnedMajor(range: string): number | null {
  const majors = range.split('||').map((alternative) => majorOf(alternative.trim()));
  const first = majors[0];
  return first !== undefined && first !== null && majors.every((major) => major === first) ? first : null;
}
