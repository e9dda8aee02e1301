import type { Logger } from 'pino';
import type { SseChannel } from './sse.ts';

// Items read from the source at a time while a client catches up: one page is all the history a
// client holds in memory here, beside what waits in its buffer.
const PAGE_SIZE = 200;

/** The source's answer when the items after a cursor are no longer all kept. */
export interface FeedGap<Cursor> {
  resyncFrom: Cursor;
  reason: string;
}

/** Where a stream's events come from: stored items read by cursor, and a live tail. */
export interface SseFeed<Item, Cursor extends string | number> {
  /** Up to `limit` stored items after `cursor`, oldest first. */
  readAfter(cursor: Cursor, limit: number): Promise<readonly Item[] | FeedGap<Cursor>>;
  /** Calls `listener` with each new item, in order, once readAfter can return it; returns the unsubscribe. */
  subscribe(listener: (item: Item) => void): () => void;
  /** The item as an SSE event; its id is the cursor a client resumes from with Last-Event-ID. */
  toEvent(item: Item): { event: string; data: unknown; id: Cursor };
  /** Whether `item` comes after `cursor`: a live item may repeat one a page has just returned. */
  comesAfter(item: Item, cursor: Cursor): boolean;
  /**
   * Resolves when the stored item is due to be sent (a replay keeps the original's timing); or
   * at once when `signal` aborts, as it does when the client leaves. Without it, stored items go
   * as fast as the client reads.
   */
  pace?(item: Item, signal: AbortSignal): Promise<void>;
}

/** A feed as one client asks for it: where its stream starts, and what ends it. */
export interface FeedStart<Item, Cursor extends string | number> {
  feed: SseFeed<Item, Cursor>;
  /** The client gets the items after this cursor, then the live ones. */
  from: Cursor;
  /**
   * For a stream that ends (a finished attempt's log): calls `finish` with the last event once
   * it should end, the stored items sent first; returns what stops watching.
   */
  finishWhen?(finish: (event: string, data: unknown) => void): () => void;
}

/**
 * Streams a feed to one SSE client: the stored items after its cursor in pages, each event
 * written only when the client has room (history never piles up in memory), then the live tail
 * as it happens. A client dropped for not keeping up resumes from the id it last got.
 */
export class FeedStream<Item, Cursor extends string | number> {
  private cursor: Cursor;
  private live = false;
  // Live items published since the current page was read for: sent after the page, so the client
  // goes live without reading the source again. Bounded; past that they are read again instead.
  private pending: Item[] = [];
  private missedSome = false;
  private ending: { event: string; data: unknown } | null = null;
  private readonly clientGone = new AbortController();

  constructor(
    private readonly channel: SseChannel,
    private readonly feed: SseFeed<Item, Cursor>,
    from: Cursor,
    private readonly logger: Logger,
  ) {
    this.cursor = from;
  }

  /** Subscribes first, then reads, so nothing published in between is missed. */
  start(): void {
    this.channel.onClose(() => this.clientGone.abort());
    this.channel.onClose(this.feed.subscribe((item) => this.onLive(item)));
    void this.catchUp();
  }

  /** Once every stored item is sent, sends this event (with the last id) and ends the stream. */
  finish(event: string, data: unknown): void {
    if (this.ending) return;
    this.ending = { event, data };
    if (this.live) {
      this.live = false;
      void this.catchUp();
    }
  }

  private onLive(item: Item): void {
    const { event, data, id } = this.feed.toEvent(item);
    if (this.live) {
      if (!this.feed.comesAfter(item, this.cursor)) return;
      this.cursor = id;
      this.channel.send(event, data, id);
      return;
    }
    if (this.pending.length < PAGE_SIZE && !this.missedSome) this.pending.push(item);
    else {
      this.pending = [];
      this.missedSome = true;
    }
    this.channel.owe(event, data, id);
  }

  private async catchUp(): Promise<void> {
    const { channel, feed } = this;
    try {
      while (!channel.closed) {
        this.pending = [];
        this.missedSome = false;
        const page = await feed.readAfter(this.cursor, PAGE_SIZE);
        if ('resyncFrom' in page) {
          // Its id is where the stream goes on from: a client that reloads what it shows, then
          // reconnects, resumes there.
          await channel.sendPaced('resync', { reason: page.reason, resumeFrom: page.resyncFrom }, page.resyncFrom);
          this.cursor = page.resyncFrom;
          continue;
        }
        await this.sendInOrder(page);
        // A full page: more is stored. Live items missed: read them from the source.
        if (page.length === PAGE_SIZE || this.missedSome) continue;
        // Whatever was published since the read began is pending (items the page also had are skipped).
        while (this.pending.length > 0 && !this.missedSome && !channel.closed) await this.sendInOrder(this.pending.splice(0));
        if (this.missedSome) continue;
        if (channel.closed) return;
        if (this.ending) {
          await channel.sendPaced(this.ending.event, this.ending.data, this.cursor);
          channel.close();
        } else {
          this.live = true;
        }
        return;
      }
    } catch (error) {
      this.logger.error({ err: error }, 'event stream failed');
      channel.close();
    }
  }

  /** Sends the items after the cursor, each when the client has room. */
  private async sendInOrder(items: readonly Item[]): Promise<void> {
    for (const item of items) {
      if (this.channel.closed) return;
      if (!this.feed.comesAfter(item, this.cursor)) continue;
      if (this.feed.pace) {
        await this.feed.pace(item, this.clientGone.signal);
        if (this.channel.closed) return;
      }
      const { event, data, id } = this.feed.toEvent(item);
      await this.channel.sendPaced(event, data, id);
      if (!this.channel.closed) this.cursor = id;
    }
  }
}
