import http from 'node:http';

/** The wall clock with sub-millisecond precision, in epoch milliseconds like an event's `ts`. */
const epochMs = () => performance.timeOrigin + performance.now();

const TS_FIELD = '"ts":"';
// An ISO-8601 UTC time as the server writes it: 2026-12-04T10:00:00.000Z.
const ISO_LENGTH = 24;

/**
 * One client following GET /api/v1/events, checking the ids as they come and timing each event.
 * Only the framing, the id and the event's `ts` are read, without parsing the payload: the
 * reader's own cost should stay small beside the server's, which is what is measured.
 */
export class EventLogFollower {
  /** Events with an id above the last one's, whatever their type. */
  received = 0;
  /** Of those, the `task.created` ones. */
  tasksCreated = 0;
  /** Events whose id is not above the last one's: sent twice or out of order. */
  repeated = 0;
  /** Ids missing between two events received. */
  skipped = 0;
  /** `resync` events: the server could not send everything after the Last-Event-ID. */
  resyncs = 0;
  firstId = 0;
  lastId = 0;
  /** Epoch ms with a fraction, when the first and the last event arrived. */
  firstAt = 0;
  lastAt = 0;
  /** Per event, arrival minus the event's `ts` (the server's time of the change), in ms. */
  readonly lagsMs: number[] = [];
  /** Why the stream ended before the follower was closed, if it did. */
  endedEarly: string | null = null;
  private closed = false;
  private partial = '';
  private waiter: { count: number; resolve(reached: boolean): void; timer: NodeJS.Timeout } | null = null;

  private constructor(private readonly req: http.ClientRequest) {}

  /** Resolves once the server answered with the stream: every event committed from then on will come. */
  static open(baseUrl: string, lastEventId?: string): Promise<EventLogFollower> {
    return new Promise((resolve, reject) => {
      const headers = lastEventId === undefined ? {} : { 'last-event-id': lastEventId };
      const req = http.get(`${baseUrl}/api/v1/events`, { agent: false, headers });
      const follower = new EventLogFollower(req);
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          req.destroy();
          return reject(new Error(`GET /api/v1/events answered ${res.statusCode}`));
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => follower.onChunk(chunk, epochMs()));
        res.on('end', () => follower.end('the server ended the stream'));
        res.on('error', (error) => follower.end(error.message));
        resolve(follower);
      });
      req.on('error', (error) => {
        follower.end(error.message);
        reject(error);
      });
    });
  }

  /** Resolves true once `count` events have been received, false if the stream ends or the time runs out first. */
  waitFor(count: number, timeLimitMs: number): Promise<boolean> {
    if (this.received >= count) return Promise.resolve(true);
    if (this.endedEarly !== null) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(false), timeLimitMs);
      this.waiter = { count, resolve, timer };
    });
  }

  close(): void {
    this.closed = true;
    this.req.destroy();
    this.settle(false);
  }

  private onChunk(chunk: string, arrivedAt: number): void {
    const blocks = (this.partial + chunk).split('\n\n');
    this.partial = blocks.pop()!;
    for (const block of blocks) {
      if (!block.startsWith('id: ')) continue; // the retry line and keep-alive comments
      const idEnd = block.indexOf('\n');
      const id = Number(block.slice(4, idEnd));
      if (block.startsWith('event: resync', idEnd + 1)) {
        this.resyncs++;
        continue;
      }
      if (id <= this.lastId) {
        this.repeated++;
        continue;
      }
      if (this.received++ === 0) [this.firstId, this.firstAt] = [id, arrivedAt];
      else this.skipped += id - this.lastId - 1;
      [this.lastId, this.lastAt] = [id, arrivedAt];
      if (block.startsWith('event: task.created', idEnd + 1)) this.tasksCreated++;
      const ts = block.indexOf(TS_FIELD);
      if (ts !== -1) this.lagsMs.push(arrivedAt - Date.parse(block.slice(ts + TS_FIELD.length, ts + TS_FIELD.length + ISO_LENGTH)));
    }
    if (this.waiter && this.received >= this.waiter.count) this.settle(true);
  }

  private end(reason: string): void {
    if (!this.closed) this.endedEarly ??= reason;
    this.settle(false);
  }

  private settle(reached: boolean): void {
    if (!this.waiter) return;
    clearTimeout(this.waiter.timer);
    this.waiter.resolve(reached);
    this.waiter = null;
  }
}
