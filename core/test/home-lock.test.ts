import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HomeInUseError, lockHome } from '../src/locks/home-lock.ts';
import { tempDir } from './support/temp-dir.ts';

const LOCK_ONCE = fileURLToPath(new URL('./fixtures/lock-home-once.ts', import.meta.url));

describe('one server process per FORGE_HOME', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempDir>;
  beforeEach(() => (home = tempDir('forge-lock-')));
  afterEach(() => home.cleanup());

  it('refuses a second holder, naming the first, and lets the next one in once it is released', () => {
    const first = lockHome(home.path, 'forgecore serve, port 1');
    assert.throws(() => lockHome(home.path, 'forgecore mcp'), (error: Error) => error instanceof HomeInUseError && /pid \d+, forgecore serve, port 1/.test(error.message));
    first.release();
    lockHome(home.path, 'forgecore mcp').release();
  });

  it('gives it to exactly one of several processes that try at the same moment, and takes it over from one killed', async () => {
    const start = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', LOCK_ONCE, home.path], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        for (const wake of waiters.splice(0)) wake();
      });
      const said = async (count: number) => {
        while (lines.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
        return lines[count - 1]!;
      };
      return { child, said };
    };
    for (let round = 0; round < 3; round++) {
      const racers = Array.from({ length: 4 }, start);
      await Promise.all(racers.map((racer) => racer.said(1)));
      for (const racer of racers) racer.child.stdin.write('go\n');
      const outcomes = await Promise.all(racers.map((racer) => racer.said(2)));
      for (const racer of racers) racer.child.stdin.end();
      await Promise.all(racers.map((racer) => new Promise((resolve) => racer.child.once('exit', resolve))));
      assert.deepEqual(outcomes.sort(), ['held', 'refused', 'refused', 'refused']);
    }
    // A holder killed outright leaves its files, not its lock.
    const holder = start();
    await holder.said(1);
    holder.child.stdin.write('go\n');
    assert.equal(await holder.said(2), 'held');
    assert.throws(() => lockHome(home.path, 'test'), HomeInUseError);
    holder.child.kill('SIGKILL');
    await new Promise((resolve) => holder.child.once('exit', resolve));
    lockHome(home.path, 'test').release();
  });
});
