import assert from 'node:assert/strict';
import { SweepBatcher } from '../src/runtime/sweep-batcher.ts';

/** A sweep that records what each run was given and waits until the test lets it end. */
function recordingSweep() {
  const runs: string[][] = [];
  const ends: Array<() => void> = [];
  const sweep = async (entries: ReadonlySet<string>) => {
    runs.push([...entries]);
    await new Promise<void>((resolve) => ends.push(resolve));
    // Each entry "killed" as many processes as its name's last digit says.
    return new Map([...entries].map((entry) => [entry, Number(entry.at(-1))]));
  };
  return { sweep, runs, endNext: () => ends.shift()!() };
}

const turns = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('sweeps of ended attempts, batched', () => {
  it('sweeps what is asked while a sweep runs in one next sweep, and tells each caller its own count', async () => {
    const { sweep, runs, endNext } = recordingSweep();
    const batcher = new SweepBatcher(sweep);
    const first = batcher.request(['A=1']);
    await turns();
    assert.deepEqual(runs, [['A=1']]);
    // Three attempts end while the first sweep runs: they wait, and share the next one.
    const waiting = [batcher.request(['B=2']), batcher.request(['C=3', 'D=0']), batcher.request(['E=4'])];
    await turns();
    assert.equal(runs.length, 1, 'no second sweep while the first runs');
    endNext();
    assert.equal(await first, 1);
    await turns();
    assert.deepEqual(runs, [['A=1'], ['B=2', 'C=3', 'D=0', 'E=4']]);
    endNext();
    assert.deepEqual(await Promise.all(waiting), [2, 3, 4]);
  });

  it('starts a new sweep for what is asked once the previous one has ended', async () => {
    const { sweep, runs, endNext } = recordingSweep();
    const batcher = new SweepBatcher(sweep);
    const first = batcher.request(['A=1']);
    await turns();
    endNext();
    await first;
    const second = batcher.request(['B=2']);
    await turns();
    assert.deepEqual(runs, [['A=1'], ['B=2']]);
    endNext();
    assert.equal(await second, 2);
  });

  it('hands a failed sweep to its callers, and the next sweep still runs', async () => {
    let calls = 0;
    const batcher = new SweepBatcher(async (entries) => {
      calls++;
      if (calls === 1) throw new Error('no /proc');
      return new Map([...entries].map((entry) => [entry, 1]));
    });
    await assert.rejects(batcher.request(['A=1']), /no \/proc/);
    assert.equal(await batcher.request(['B=1']), 1);
  });
});
