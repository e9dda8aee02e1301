import { setTimeout as sleep } from 'node:timers/promises';

export interface ReplayTiming {
  /** How many times faster than it happened. */
  speed: number;
  /** The longest pause replayed, in the original's time: an agent that waited 20 minutes is watchable. */
  maxGapMs: number;
}

export interface PacerClock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const systemClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

// A client that read slowly and fell this far behind the schedule goes on at the replay's pace
// from where it is, rather than getting what it missed in a burst.
const LATE_RESET_MS = 250;

/**
 * Holds each entry of a replayed log back until it is due: the entries keep the gaps between
 * their timestamps, each capped at `maxGapMs`, divided by `speed`. Due times are reckoned from
 * where the replay started, not from the previous entry, so the timers' own delays do not add up
 * over a long log; the first entry is due at once.
 */
export class ReplayPacer {
  private start: { wall: number; offset: number } | null = null;
  /** Original time since the first entry, each gap capped. */
  private offset = 0;
  private previous = 0;

  constructor(
    private readonly timing: ReplayTiming,
    private readonly clock: PacerClock = systemClock,
  ) {}

  /** Resolves when the entry stamped `ts` is due, or once `signal` aborts. */
  async waitFor(ts: string, signal: AbortSignal): Promise<void> {
    const at = Date.parse(ts);
    if (this.start === null) {
      this.start = { wall: this.clock.now(), offset: 0 };
      this.previous = at;
      return;
    }
    // A clock set back while the attempt ran makes no negative pause.
    this.offset += Math.min(Math.max(at - this.previous, 0), this.timing.maxGapMs);
    this.previous = at;
    const wait = this.start.wall + (this.offset - this.start.offset) / this.timing.speed - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
    else if (wait < -LATE_RESET_MS) this.start = { wall: this.clock.now(), offset: this.offset };
  }
}
