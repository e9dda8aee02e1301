import { checkExecutorEvent, type ExecutorEvent } from '@forge-core/sdk';
import { consumeEventStream } from '../../core/src/plugins/event-stream-guard.ts';
import { fakeAgentEvents } from '../in-memory-agent.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface EventBoundaryResult {
  lines: number;
  events: number;
  runs: number;
  /** Nanoseconds per event, one sample per run over the whole transcript. */
  parseOnlyNs: LatencySummary;
  /** Parsing plus checkExecutorEvent on each event. */
  validatedNs: LatencySummary;
  /** Parsing plus the host's whole per-event boundary, as an attempt crosses it. */
  boundaryNs: LatencySummary;
  /** boundaryNs.p50 - parseOnlyNs.p50: what crossing into the host costs an event. */
  overheadNs: number;
}

const WARM_UP_RUNS = 1;
const RUNS = 5;
// As forge.ts sets them by default, so the stuck-stream watch ticks as often as in the server;
// neither limit is ever reached here.
const LIMITS = { abortGraceMs: 10_000, idleMs: 60_000 };
const SITE = { plugin: '@forge-core/executor-fake-agent', contribution: 'fake-agent', hook: 'run' };

/**
 * What a variant saw: its event count and the `status` of the last thing it handled (the done
 * event, or runAgent's payload of it). Keeping the last one makes each event something a caller
 * reads, so V8 cannot skip building it, and checks that every variant ran to a successful done.
 */
interface Pass {
  events: number;
  lastStatus: unknown;
}

async function parseOnly(lines: readonly string[]): Promise<Pass> {
  let events = 0;
  let last: ExecutorEvent | undefined;
  for await (const event of fakeAgentEvents(lines)) {
    last = event;
    events++;
  }
  return { events, lastStatus: last?.type === 'done' && last.status };
}

async function validated(lines: readonly string[]): Promise<Pass> {
  let events = 0;
  let last: ExecutorEvent | undefined;
  for await (const value of fakeAgentEvents(lines)) {
    const check = checkExecutorEvent(value);
    if (!check.ok) throw new Error(`the transcript yielded an invalid event: ${check.message}`);
    last = check.event;
    events++;
  }
  return { events, lastStatus: last?.type === 'done' && last.status };
}

/**
 * The loop AttemptRunner.runAgent runs: consumeEventStream (its race against the stuck-stream
 * watch, the validation, the stop at `done`) and runAgent's own async callback up to the point
 * where it hands the event to the log pipeline, which is left out.
 */
async function throughBoundary(lines: readonly string[]): Promise<Pass> {
  let events = 0;
  let last: Record<string, unknown> | undefined;
  const controller = new AbortController();
  const { violation } = await consumeEventStream(
    () => fakeAgentEvents(lines),
    { site: SITE, signal: controller.signal, limits: LIMITS, hasLiveProcess: () => true },
    async (event: ExecutorEvent) => {
      const { type, ...payload } = event;
      last = payload;
      events++;
    },
  );
  controller.abort();
  if (violation) throw new Error(`the boundary refused the transcript: ${violation.message}`);
  return { events, lastStatus: last?.['status'] };
}

const VARIANTS = [parseOnly, validated, throughBoundary];

/**
 * 8. The fake-agent executor in this process over the transcript's lines held in memory, three
 * ways: parsing only, plus validation, plus the host's whole per-event boundary. The runs of
 * the three take turns, so a slow moment of the machine does not land on one of them only.
 */
export async function benchEventBoundary(lines: readonly string[]): Promise<EventBoundaryResult> {
  const samples = VARIANTS.map((): number[] => []);
  let events = 0;
  for (let run = -WARM_UP_RUNS; run < RUNS; run++) {
    for (const [v, variant] of VARIANTS.entries()) {
      const start = process.hrtime.bigint();
      const pass = await variant(lines);
      const ns = Number(process.hrtime.bigint() - start);
      if (pass.lastStatus !== 'succeeded') throw new Error(`${variant.name} did not end with a succeeded done (${String(pass.lastStatus)})`);
      if (events !== 0 && pass.events !== events) throw new Error(`${variant.name} saw ${pass.events} events, an earlier run ${events}`);
      events = pass.events;
      if (run >= 0) samples[v]!.push(ns / events);
    }
  }
  const [parseOnlyNs, validatedNs, boundaryNs] = samples.map(summarize) as [LatencySummary, LatencySummary, LatencySummary];
  const overParsing = (s: LatencySummary) => s.p50 - parseOnlyNs.p50;
  const result: EventBoundaryResult = { lines: lines.length, events, runs: RUNS, parseOnlyNs, validatedNs, boundaryNs, overheadNs: overParsing(boundaryNs) };
  printTable(
    `8. Per-event cost in process, fake-agent executor over the same ${lines.length.toLocaleString('en-US')} lines held in memory (${events.toLocaleString('en-US')} events; ns/event, ${RUNS} runs after ${WARM_UP_RUNS} warm-up)`,
    ['stage', 'p50', 'min', 'max', 'p50 over parsing'],
    [
      ["executor's event stream, parsing only", parseOnlyNs.p50, parseOnlyNs.min, parseOnlyNs.max, '-'],
      ['  + checkExecutorEvent', validatedNs.p50, validatedNs.min, validatedNs.max, overParsing(validatedNs)],
      ["  + host boundary (consumeEventStream + runAgent's per-event work before the log)", boundaryNs.p50, boundaryNs.min, boundaryNs.max, overParsing(boundaryNs)],
    ],
  );
  return result;
}
