import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { msSince } from './stats.ts';

const execFileAsync = promisify(execFile);
// Forge's git() runs with this locale too; the raw side gets it so only the commands differ.
const GIT_ENV = { ...process.env, LC_ALL: 'C', LANG: 'C' };

/** git as the bench runs it by hand, beside Forge: the physical limit of the same command. */
export function rawGit(cwd: string, ...args: string[]) {
  return execFileAsync('git', args, { cwd, env: GIT_ENV });
}

/** How long `work` took, in ms. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return msSince(start);
}
