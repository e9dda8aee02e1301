import { ForgeError, checkExecutorEvent, describeValue, type DoneEvent, type ExecutorEvent } from '@forge-core/sdk';
import { describeSite, wrapPluginError, type HookSite } from './boundary.ts';

export interface EventStreamLimits {
  /** After the user's stop, how long the stream may take to end before it is left behind. */
  abortGraceMs: number;
  /**
   * How long a stream may stay silent while none of the pack's processes runs. Past it, the
   * pack has lost track of its own run (no `done`, iterator never ended) and is left behind.
   */
  idleMs: number;
}

export interface GuardedRun {
  site: HookSite;
  signal: AbortSignal;
  limits: EventStreamLimits;
  /** Whether a process the pack spawned is still running. */
  hasLiveProcess(): boolean;
}

export interface StreamOutcome {
  /** The one `done` the pack yielded, or null. */
  done: DoneEvent | null;
  /** How the pack broke the contract, or null. */
  violation: ForgeError | null;
}

const WATCH_INTERVAL_MS = 50;
const EVENTS_BETWEEN_TURNS = 256;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Pulls a pack's event stream across the boundary: opens it, validates every event, stops at
 * the first `done`, turns a throw into FORGE_PLUGIN_HOOK_FAILED and an invalid event into
 * FORGE_PLUGIN_EVENT_INVALID, and never waits forever: a stream that outlives the user's stop
 * by `abortGraceMs`, or stays silent with no process running for `idleMs`, is left behind.
 * `onEvent` sees only valid events, `done` included.
 */
export async function consumeEventStream(
  open: () => unknown,
  run: GuardedRun,
  onEvent: (event: ExecutorEvent) => Promise<void> | void,
): Promise<StreamOutcome> {
  const { site, signal } = run;
  const watch = watchStream(run);
  let iterator: AsyncIterator<unknown> | null = null;
  try {
    let opened: AsyncIterator<unknown> | 'left-behind';
    try {
      opened = await openStream(open, site, watch);
    } catch (error) {
      return { done: null, violation: error as ForgeError };
    }
    if (opened === 'left-behind') return leftBehindOutcome(run);
    iterator = opened;
    for (let pulled = 1; ; pulled++) {
      let step: IteratorResult<unknown> | 'left-behind';
      try {
        step = await watch.race(iterator.next());
        if (step !== 'left-behind' && (typeof step !== 'object' || step === null)) {
          throw new TypeError(`next() resolved to ${describeValue(step)} instead of { value, done }`);
        }
      } catch (error) {
        return { done: null, violation: wrapPluginError(site, error) };
      }
      if (step === 'left-behind') return leftBehindOutcome(run);
      if (step.done) {
        if (signal.aborted) return { done: null, violation: null };
        return {
          done: null,
          violation: new ForgeError('FORGE_PLUGIN_EVENT_INVALID', `${describeSite(site)} ended its event stream without a done event.`, { ...site }),
        };
      }
      watch.sawEvent();
      const check = checkExecutorEvent(step.value);
      if (!check.ok) {
        return {
          done: null,
          violation: new ForgeError('FORGE_PLUGIN_EVENT_INVALID', `${describeSite(site)} yielded an invalid event: ${check.message}`, { ...site }),
        };
      }
      await onEvent(check.event);
      if (check.event.type === 'done') return { done: check.event, violation: null };
      // A pack whose events are all ready at once would otherwise keep the loop in microtasks
      // for the whole stream: no request, no stop and no watch tick could get in.
      if (pulled % EVENTS_BETWEEN_TURNS === 0) await nextTurn();
    }
  } finally {
    watch.stop();
    // Ends the pack's generator (its finally blocks run). Not awaited: a generator stuck in an
    // await cannot return until that await settles, and nobody waits for a stuck pack.
    if (iterator) {
      const stream = iterator;
      void Promise.resolve()
        .then(() => stream.return?.())
        .catch(() => undefined);
    }
  }
}

/**
 * Calls run()/resume() and gets its iterator. An `async function*` is the contract, but a plain
 * `async` function returning one is accepted too; one that throws or rejects, or returns
 * something else, is the pack's failure, never an unhandled rejection in the host.
 */
async function openStream(open: () => unknown, site: HookSite, watch: StreamWatch): Promise<AsyncIterator<unknown> | 'left-behind'> {
  let stream: unknown;
  try {
    stream = open();
    if (isThenable(stream)) stream = await watch.race(Promise.resolve(stream));
  } catch (error) {
    throw wrapPluginError(site, error);
  }
  if (stream === 'left-behind') return stream;
  const iterable = stream as Partial<AsyncIterable<unknown>> | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') {
    throw wrapPluginError(site, new TypeError(`it must return an async iterable (write it as async function*), returned ${describeValue(stream)}`));
  }
  return iterable[Symbol.asyncIterator]!();
}

function leftBehindOutcome(run: GuardedRun): StreamOutcome {
  if (run.signal.aborted) return { done: null, violation: null };
  const { site, limits } = run;
  return {
    done: null,
    violation: new ForgeError(
      'FORGE_PLUGIN_HOOK_TIMEOUT',
      `${describeSite(site)} yielded nothing for ${limits.idleMs} ms while none of its processes was running; did it forget to yield done or to end its iterator?`,
      { ...site, idleMs: limits.idleMs },
    ),
  };
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * Watches one run for the two ways a stream is left behind. Each pull is a fresh promise settled by the
 * pack's next() or by the watch, whose resolver sits in one slot: racing against one promise
 * for the whole run would leave a reaction on it for every event (measured: ~84 MB live after
 * 100,000 events).
 */
type StreamWatch = ReturnType<typeof watchStream>;

function watchStream(run: GuardedRun) {
  let lastActivity = Date.now();
  let abortedAt: number | null = null;
  let leftBehind = false;
  let wake: ((value: 'left-behind') => void) | null = null;
  const timer = setInterval(() => {
    const now = Date.now();
    if (run.signal.aborted) abortedAt ??= now;
    if (run.hasLiveProcess()) lastActivity = now;
    const pastStop = abortedAt !== null && now - abortedAt >= run.limits.abortGraceMs;
    if (pastStop || now - lastActivity >= run.limits.idleMs) {
      leftBehind = true;
      wake?.('left-behind');
    }
  }, Math.min(WATCH_INTERVAL_MS, run.limits.abortGraceMs, run.limits.idleMs));
  timer.unref();
  return {
    race<T>(next: Promise<T>): Promise<T | 'left-behind'> {
      if (leftBehind) {
        // Nobody waits for this pull any more; a later rejection of it must not go unhandled.
        next.catch(() => undefined);
        return Promise.resolve('left-behind');
      }
      // Settled by whichever comes first; a later call of a settled resolver does nothing.
      return new Promise((resolve, reject) => {
        wake = resolve;
        next.then(resolve, reject);
      });
    },
    sawEvent: () => (lastActivity = Date.now()),
    stop: () => clearInterval(timer),
  };
}
