/**
 * A small seeded PRNG (mulberry32) for tests that pick random moments: the seed is printed, so a
 * failure can be replayed with FORGE_TEST_SEED=<seed>.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  below(bound: number): number;
}

export function seededRandom(label: string, env: NodeJS.ProcessEnv = process.env): SeededRandom {
  const given = env.FORGE_TEST_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  console.log(`      ${label}: seed ${seed} (replay with FORGE_TEST_SEED=${seed})`);
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { seed, next, below: (bound) => Math.floor(next() * bound) };
}
