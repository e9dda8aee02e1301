import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` (a .git folder, worktrees, a FORGE_HOME) whose bytes hold `needle`: where a secret leaked to. */
export function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      const stat = statSync(child);
      if (stat.isDirectory()) walk(child);
      else if (stat.size < 20_000_000 && readFileSync(child).includes(needle)) found.push(child);
    }
  };
  walk(dir);
  return found;
}
