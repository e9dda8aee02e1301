import { git, gitOutput } from './git.ts';

export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface DiffFile {
  path: string;
  oldPath: string | null;
  change: FileChangeKind;
  additions: number;
  deletions: number;
  binary: boolean;
}

export interface Diff {
  files: DiffFile[];
  patch: string;
  /** True when the patch was cut at the size limit; `files` is always complete. */
  truncated: boolean;
}

export const PATCH_LIMIT_BYTES = 5 * 1024 * 1024;

const CHANGE_KINDS: Record<string, FileChangeKind> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

/**
 * The changes of `cwd` against `from`: with `to` omitted, the working tree as it is now,
 * uncommitted and untracked files included (what the agent has done so far).
 */
export async function diffAgainst(cwd: string, from: string, to?: string): Promise<Diff> {
  const range = to ? [from, to] : [from];
  const [names, counts] = await Promise.all([
    gitOutput(['diff', '--find-renames', '--name-status', '-z', ...range, '--'], { cwd }),
    gitOutput(['diff', '--find-renames', '--numstat', '-z', ...range, '--'], { cwd }),
  ]);
  const files = parseNameStatus(names);
  applyNumstat(files, counts);
  let patch = (await git(['diff', '--find-renames', ...range, '--'], { cwd })).stdout;
  if (!to) {
    for (const path of await untrackedFiles(cwd)) {
      const added = await git(['diff', '--no-index', '--numstat', '--', '/dev/null', path], { cwd }).catch((e) => e);
      const [add, , ] = String(added.stdout ?? '').split('\t');
      files.push({ path, oldPath: null, change: 'added', additions: Number(add) || 0, deletions: 0, binary: add === '-' });
      if (patch.length < PATCH_LIMIT_BYTES) {
        const one = await git(['diff', '--no-index', '--', '/dev/null', path], { cwd }).catch((e) => e);
        patch += String(one.stdout ?? '');
      }
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
  }
  const truncated = patch.length > PATCH_LIMIT_BYTES;
  return { files, patch: truncated ? patch.slice(0, PATCH_LIMIT_BYTES) : patch, truncated };
}

export async function mergeBase(cwd: string, a: string, b: string): Promise<string> {
  return gitOutput(['merge-base', a, b], { cwd });
}

async function untrackedFiles(cwd: string): Promise<string[]> {
  const out = await gitOutput(['ls-files', '--others', '--exclude-standard', '-z'], { cwd });
  return out.split('\0').filter(Boolean);
}

function parseNameStatus(out: string): DiffFile[] {
  const fields = out.split('\0');
  const files: DiffFile[] = [];
  for (let i = 0; i < fields.length && fields[i]; ) {
    const status = fields[i++]!;
    const kind = CHANGE_KINDS[status[0]!] ?? 'modified';
    if (kind === 'renamed' || kind === 'copied') {
      const oldPath = fields[i++]!;
      files.push({ path: fields[i++]!, oldPath, change: kind, additions: 0, deletions: 0, binary: false });
    } else {
      files.push({ path: fields[i++]!, oldPath: null, change: kind, additions: 0, deletions: 0, binary: false });
    }
  }
  return files;
}

/** `--numstat -z`: "add\tdel\tpath\0", or for a rename "add\tdel\t\0old\0new\0"; "-" counts mean binary. */
function applyNumstat(files: DiffFile[], out: string): void {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const fields = out.split('\0');
  for (let i = 0; i < fields.length && fields[i]; ) {
    const [add, del, path] = fields[i++]!.split('\t');
    const target = path ? path : (i++, fields[i++]!);
    const file = byPath.get(target);
    if (!file) continue;
    file.binary = add === '-';
    file.additions = Number(add) || 0;
    file.deletions = Number(del) || 0;
  }
}
