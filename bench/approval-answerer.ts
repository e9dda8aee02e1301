import http from 'node:http';
import { requestJson } from './http.ts';

export interface ApprovalRoundTrips {
  /** `entry` events the log stream delivered. */
  entries: number;
  /** approval_request entries seen, each answered "approve" through the API. */
  requests: number;
  /** approval_result entries seen. */
  results: number;
  /** Per approval, ms from its approval_request entry arriving to the first entry after its approval_result: the agent going on. */
  roundTripMs: number[];
  /** Per approval, ms from its approval_request entry arriving to the API's 200 for the answer. */
  answerMs: number[];
  /**
   * Per approval, ms from the answer being sent to the server's timestamp on that next entry: the
   * agent going on as the server saw it, before the log's batching delays its delivery. Wall
   * clock, to the millisecond.
   */
  resumedMs: number[];
}

interface LogEntryView {
  ts: string;
  kind: string;
  payload: { requestId?: unknown };
}

/**
 * Follows GET /attempts/{id}/logs/stream to its `end` event as a person at an approval screen
 * would, only faster: each approval_request entry is answered at once with POST
 * /approvals/{requestId} {"decision":"approve"}, and the round trip is timed on this side of
 * the API, to the entry that shows the agent carried on.
 */
export function answerApprovals(baseUrl: string, attemptId: string, timeLimitMs: number): Promise<ApprovalRoundTrips> {
  const url = `${baseUrl}/api/v1/attempts/${attemptId}/logs/stream`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const trips: ApprovalRoundTrips = { entries: 0, requests: 0, results: 0, roundTripMs: [], answerMs: [], resumedMs: [] };
  const askedAt = new Map<string, bigint>();
  const answeredAtMs = new Map<string, number>();
  const answers: Promise<void>[] = [];
  let answerFailed: Error | undefined;
  // The approval whose result was the last entry read: the next entry, whatever it is, ends its round trip.
  let resultOf: string | undefined;
  const sinceAsked = (id: string, now: bigint) => Number(now - askedAt.get(id)!) / 1e6;

  function answer(requestId: string): Promise<void> {
    answeredAtMs.set(requestId, Date.now());
    return requestJson(agent, `${baseUrl}/api/v1/approvals/${requestId}`, 'POST', { decision: 'approve', attemptId }, 200).then(
      () => void trips.answerMs.push(sinceAsked(requestId, process.hrtime.bigint())),
      (error: Error) => void (answerFailed ??= error),
    );
  }

  function read(entry: LogEntryView, arrivedAt: bigint): void {
    trips.entries++;
    if (resultOf !== undefined) {
      trips.roundTripMs.push(sinceAsked(resultOf, arrivedAt));
      trips.resumedMs.push(Date.parse(entry.ts) - answeredAtMs.get(resultOf)!);
      resultOf = undefined;
    }
    const requestId = typeof entry.payload.requestId === 'string' ? entry.payload.requestId : undefined;
    if (requestId === undefined) return;
    if (entry.kind === 'approval_request') {
      trips.requests++;
      askedAt.set(requestId, arrivedAt);
      answers.push(answer(requestId));
    } else if (entry.kind === 'approval_result' && askedAt.has(requestId)) {
      trips.results++;
      resultOf = requestId;
    }
  }

  return new Promise((resolve, reject) => {
    let partial = '';
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      // An answer still in flight when the stream ends is part of the result, or of the failure.
      void Promise.all(answers).then(() => {
        agent.destroy();
        const failure = error ?? answerFailed;
        if (failure) reject(failure);
        else resolve(trips);
      });
    };
    const timer = setTimeout(() => settle(new Error(`${url}: no end event within ${timeLimitMs} ms (${trips.entries} entries, ${trips.requests} approvals)`)), timeLimitMs);
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
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (name === 'entry' && data !== undefined) read(JSON.parse(data) as LogEntryView, arrivedAt);
        }
      });
      res.on('end', () => settle(new Error(`${url} closed before its end event (${trips.entries} entries)`)));
    });
    req.on('error', (error) => settle(error));
  });
}
