import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LARGE_REPO_DIRS = 100;
export const LARGE_REPO_FILES_PER_DIR = 20;
const LINES_PER_FILE = 56; // ~5 KB a file, ~10 MB for the 2,000
const FILES_CHANGED_PER_LATER_COMMIT = 200;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim();
}

function initRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'Bench');
}

/** A small deterministic PRNG: the same repository on every run, so runs compare. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function sourceFile(random: () => number, module: string, revision: number): string {
  const lines = [`// ${module} (revision ${revision})`, `import { assert } from '../shared/assert.ts';`, ''];
  for (let i = 0; lines.length < LINES_PER_FILE; i++) {
    const a = Math.floor(random() * 1e6);
    const b = Math.floor(random() * 1e6);
    lines.push(`export function ${module}_fn${i}(x: number): number { return assert(x * ${a} + ${b}, 'fn${i}'); }`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The heavy case: 2,000 .ts files in 100 folders, ~10 MB, three commits, then packed the way a
 * cloned repository is.
 */
export function makeLargeRepo(dir: string): { files: number; bytes: number; commits: number } {
  initRepo(dir);
  const random = prng(42);
  const paths: string[] = [];
  const write = (path: string, content: string) => writeFileSync(join(dir, path), content);
  for (let d = 0; d < LARGE_REPO_DIRS; d++) {
    mkdirSync(join(dir, 'src', `pkg${d}`), { recursive: true });
    for (let f = 0; f < LARGE_REPO_FILES_PER_DIR; f++) {
      const path = join('src', `pkg${d}`, `mod${f}.ts`);
      paths.push(path);
      write(path, sourceFile(random, `pkg${d}_mod${f}`, 1));
    }
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial import');
  for (const revision of [2, 3]) {
    for (let k = 0; k < FILES_CHANGED_PER_LATER_COMMIT; k++) {
      const index = Math.floor(random() * paths.length);
      write(paths[index]!, sourceFile(random, `changed${index}`, revision));
    }
    git(dir, 'commit', '-q', '-am', `revision ${revision}`);
  }
  git(dir, 'gc', '-q');
  const tree = git(dir, 'ls-tree', '-r', '-l', 'HEAD').split('\n');
  const bytes = tree.reduce((sum, line) => sum + Number(line.split(/\s+/)[3]), 0);
  return { files: tree.length, bytes, commits: 3 };
}

/**
 * A one-commit repository: a README, plus `files` (path -> content) when given. Without them,
 * for measuring Forge's own overhead with no checkout to speak of.
 */
export function makeSmallRepo(dir: string, files: Record<string, string> = {}): void {
  initRepo(dir);
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial commit');
}
