import assert from 'node:assert/strict';
import { OverlappingReads } from '../src/store/overlapping-reads.ts';

/** A query that reads `source.value` when it begins, and answers when `release` is called. */
function gatedQuery(source: { value: number }) {
  let releases: Array<() => void> = [];
  const query = {
    began: 0,
    run: async () => {
      query.began++;
      const seen = source.value;
      await new Promise<void>((resolve) => releases.push(resolve));
      return seen;
    },
    release: () => {
      for (const release of releases) release();
      releases = [];
    },
  };
  return query;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('identical reads that overlap share one query', () => {
  it('answers reads that arrived together from one query, each with its result', async () => {
    const reads = new OverlappingReads<number>();
    const source = { value: 7 };
    const query = gatedQuery(source);
    const answers = Array.from({ length: 5 }, () => reads.read('page', query.run));
    await until(() => query.began > 0);
    query.release();
    assert.deepEqual(await Promise.all(answers), [7, 7, 7, 7, 7]);
    assert.equal(query.began, 1);
  });

  it('runs a read that arrived after a query began on its own, so a write finished before it is seen', async () => {
    const reads = new OverlappingReads<number>();
    const source = { value: 1 };
    const query = gatedQuery(source);
    const first = reads.read('page', query.run);
    await until(() => query.began === 1);
    source.value = 2; // a write that ends before the second read arrives
    const second = reads.read('page', query.run);
    await until(() => query.began === 2);
    query.release();
    assert.equal(await first, 1);
    assert.equal(await second, 2);
  });

  it('lets reads that arrived together after a query began share the next query, still running', async () => {
    const reads = new OverlappingReads<number>();
    const source = { value: 1 };
    const query = gatedQuery(source);
    const first = reads.read('page', query.run);
    await until(() => query.began === 1);
    source.value = 2;
    const later = [reads.read('page', query.run), reads.read('page', query.run), reads.read('page', query.run)];
    await until(() => query.began === 2);
    await new Promise((resolve) => setImmediate(resolve));
    query.release();
    assert.deepEqual([await first, ...(await Promise.all(later))], [1, 2, 2, 2]);
    assert.equal(query.began, 2);
  });

  it('never shares between different reads', async () => {
    const reads = new OverlappingReads<string>();
    const asked: string[] = [];
    const answers = await Promise.all(
      ['a', 'b', 'a', 'c', 'b'].map((key) =>
        reads.read(key, async () => {
          asked.push(key);
          return `page ${key}`;
        }),
      ),
    );
    assert.deepEqual(answers, ['page a', 'page b', 'page a', 'page c', 'page b']);
    assert.deepEqual(asked.sort(), ['a', 'b', 'c']);
  });

  it('fails the reads that joined a failed query, and queries again for the next one', async () => {
    const reads = new OverlappingReads<number>();
    let began = 0;
    let fail = () => {};
    const failing = async () => {
      began++;
      await new Promise<void>((resolve) => (fail = resolve));
      throw new Error('the database is gone');
    };
    const answers = Promise.allSettled([reads.read('page', failing), reads.read('page', failing)]);
    await until(() => began === 1);
    await new Promise((resolve) => setImmediate(resolve));
    fail();
    assert.deepEqual(
      (await answers).map((result) => (result.status === 'rejected' ? (result.reason as Error).message : 'answered')),
      ['the database is gone', 'the database is gone'],
    );
    assert.equal(began, 1);
    assert.equal(await reads.read('page', async () => 3), 3);
  });

  it('does not share a query that failed before the next read looked', async () => {
    const reads = new OverlappingReads<number>();
    let began = 0;
    const failing = async () => {
      began++;
      throw new Error('no such cursor');
    };
    const results = await Promise.allSettled([reads.read('page', failing), reads.read('page', failing)]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected']);
    assert.equal(began, 2);
  });

  it('keeps no result once every read that could use it has looked, however long another query runs', async () => {
    const reads = new OverlappingReads<number>();
    const query = gatedQuery({ value: 1 });
    const slow = reads.read('slow page', query.run);
    await until(() => query.began === 1);
    assert.equal(reads.kept, 0);
    const quick = await Promise.all([reads.read('page', async () => 2), reads.read('page', async () => 3)]);
    assert.deepEqual(quick, [2, 2]);
    assert.equal(reads.kept, 0, 'a finished page is kept while nothing can use it');
    query.release();
    assert.equal(await slow, 1);
    assert.equal(reads.kept, 0);
  });

  it('queries again for a read after the others were answered, however soon', async () => {
    const reads = new OverlappingReads<number>();
    let began = 0;
    const counting = async () => ++began;
    assert.equal(await reads.read('page', counting), 1);
    assert.equal(await reads.read('page', counting), 2);
    const [third, fourth] = await Promise.all([reads.read('page', counting), reads.read('page', counting)]);
    assert.deepEqual([third, fourth], [3, 3]);
  });
});
