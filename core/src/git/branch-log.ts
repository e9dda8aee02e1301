import { gitOutput } from './git.ts';

/**
 * The messages of the commits `head` has and `base` lacks, oldest first, without Forge's
 * trailers: what an attempt's agent said it did, as its pull request's description.
 */
export async function commitMessagesBetween(repo: string, base: string, head: string): Promise<string[]> {
  const out = await gitOutput(['log', '--reverse', '--format=%B%x00', `${base}..${head}`], { cwd: repo });
  return out
    .split('\0')
    .map((message) => message.replace(/^Forge-[A-Za-z]+: .*$/gm, '').trim())
    .filter((message) => message !== '');
}
