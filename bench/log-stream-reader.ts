import http from 'node:http';

export interface LogStreamReading {
  entries: number;
  /** The id (seq) of the last entry: equal to `entries` when none was skipped or repeated. */
  lastSeq: number;
  /** process.hrtime.bigint() when the first and the last entry arrived. */
  firstEntryAt: bigint;
  lastEntryAt: bigint;
}

/**
 * Follows GET /attempts/{id}/logs/stream to its `end` event, timing the `entry` events as they
 * arrive. Only the framing is read (event name and id): parsing every payload would make the
 * client, rather than the server, what is measured.
 */
export function readLogStream(url: string, timeLimitMs: number): Promise<LogStreamReading> {
  return new Promise((resolve, reject) => {
    const reading: LogStreamReading = { entries: 0, lastSeq: 0, firstEntryAt: 0n, lastEntryAt: 0n };
    let partial = '';
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      req.destroy();
      if (error) reject(error);
      else resolve(reading);
    };
    const timer = setTimeout(() => settle(new Error(`${url}: no end event within ${timeLimitMs} ms (${reading.entries} entries)`)), timeLimitMs);
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) return settle(new Error(`${url} answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const arrivedAt = process.hrtime.bigint();
        const events = (partial + chunk).split('\n\n');
        partial = events.pop()!;
        for (const event of events) {
          const name = /^event: (.*)$/m.exec(event)?.[1];
          if (name === 'end') return settle(null);
          if (name !== 'entry') continue;
          if (reading.entries++ === 0) reading.firstEntryAt = arrivedAt;
          reading.lastEntryAt = arrivedAt;
          reading.lastSeq = Number(/^id: (\d+)$/m.exec(event)?.[1]);
        }
      });
      res.on('end', () => settle(new Error(`${url} closed before its end event (${reading.entries} entries)`)));
    });
    req.on('error', (error) => settle(error));
  });
}
