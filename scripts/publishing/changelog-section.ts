/**
 * CHANGELOG.md at a release: what "## Unreleased" gathered becomes the section of the version,
 * and an empty "## Unreleased" stays above it for what comes next.
 */

const UNRELEASED = '## Unreleased';

/** `changelog` with its Unreleased entries under "## <version> — <date>"; refuses a release with nothing to say. */
export function releaseChangelog(changelog: string, version: string, date: string): string {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.trim() === UNRELEASED);
  if (start === -1) throw new Error(`CHANGELOG.md has no "${UNRELEASED}" section to release`);
  if (lines.some((line) => line.startsWith(`## ${version} `) || line.trim() === `## ${version}`)) throw new Error(`CHANGELOG.md already has a section for ${version}`);
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const end = next === -1 ? lines.length : next;
  const entries = lines.slice(start + 1, end);
  if (entries.every((line) => line.trim() === '')) throw new Error(`CHANGELOG.md: "${UNRELEASED}" is empty; write what ${version} changes first`);
  const body = entries.join('\n').trim();
  const released = [UNRELEASED, '', `## ${version} — ${date}`, '', body, ''];
  return [...lines.slice(0, start), ...released, ...lines.slice(end)].join('\n').replace(/\n*$/, '\n');
}
