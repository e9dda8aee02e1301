/** Per key, the promise the next caller waits for. */
const queues = new Map<string, Promise<void>>();

/**
 * Runs `work` once every earlier `work` of the same key in this process has settled: a mutex per
 * key, granted in call order. The key's entry is dropped when its queue empties, so keys that
 * come and go (one per attempt) do not accumulate.
 */
export async function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}
