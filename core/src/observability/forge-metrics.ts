import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FORGE_EVENT_TYPES, type EventLog } from '../events/event-log.ts';
import { ATTEMPT_STATES, LIVE_ATTEMPT_STATES, type Attempt, type AttemptState } from '../store/attempt-store.ts';
import { AttemptTimings } from './attempt-timings.ts';

/** Where the numbers come from: the event log, and a query run at scrape time. */
export interface MetricSources {
  events: EventLog;
  /** How many attempts are in each state: one GROUP BY per scrape. */
  countAttemptsByState(): Promise<Record<AttemptState, number>>;
  /** The live attempts, listed once at start, so runs that began before a restart are timed. */
  listAttempts(states: readonly AttemptState[]): Promise<Attempt[]>;
}

/** How an MCP tool call ended: an answer, a tool error (the REST error body), or the client cancelled it. */
export type ToolCallOutcome = 'ok' | 'error' | 'cancelled';

// Requests answer in milliseconds; a wait for an attempt or an SSE stream lasts much longer.
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
// Agents run for seconds to hours.
const ATTEMPT_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];
// At least the scheduler's 20 ms quiet period (decision 0008); as long as the caps hold it.
const QUEUE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
// Measured: 20 worktrees of a 2,000-file repository at once in 1.8 s (DESIGN.md §4).
const WORKTREE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// The process's own numbers (memory, CPU, event loop lag, GC) describe the process, not one
// Forge in it: collected once per process, in a registry of their own (never prom-client's
// global one), and merged into each Forge's.
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The server's Prometheus metrics (decision 0036), in a registry of its own. Counters and
 * histograms of work are derived from the event log as it commits; attempts by state are counted
 * when scraped. Nothing here polls the database.
 */
export class ForgeMetrics {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly own = new Registry();
  private readonly registry: Registry;
  private readonly httpRequests: Histogram<'method' | 'route' | 'status_class'>;
  private readonly sseClients: Gauge<'route'>;
  private readonly toolCalls: Histogram<'tool' | 'outcome'>;
  private readonly webhookDeliveries: Counter<'outcome'>;
  private readonly webhookDeliveryDuration: Histogram<'outcome'>;
  private readonly events: Counter<'type'>;
  private readonly timings: AttemptTimings;
  private counting: Promise<Record<AttemptState, number>> | null = null;

  private constructor(sources: MetricSources) {
    const registers = [this.own];
    // Both gauges collect in the same turn of a scrape: they share one query.
    const counts = () => (this.counting ??= sources.countAttemptsByState().finally(() => (this.counting = null)));
    new Gauge({
      name: 'forge_attempts',
      help: 'Attempts in each state, counted when scraped.',
      labelNames: ['state'],
      registers,
      async collect() {
        const byState = await counts();
        for (const state of ATTEMPT_STATES) this.set({ state }, byState[state]);
      },
    });
    new Gauge({
      name: 'forge_queue_depth',
      help: 'Attempts waiting in the queue (queued), counted when scraped.',
      registers,
      async collect() {
        this.set((await counts()).queued);
      },
    });
    const queueWait = new Histogram({
      name: 'forge_attempt_queue_wait_seconds',
      help: 'From an attempt being queued (created, followed up or requeued) to a node claiming it.',
      labelNames: ['executor'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    const worktree = new Histogram({
      name: 'forge_worktree_creation_seconds',
      help: "From an attempt's run being claimed to its worktree being ready (made, or found from an earlier run).",
      labelNames: ['executor'],
      buckets: WORKTREE_BUCKETS,
      registers,
    });
    const duration = new Histogram({
      name: 'forge_attempt_duration_seconds',
      help: "From an attempt's run being claimed to it finishing, by final state and executor.",
      labelNames: ['state', 'executor'],
      buckets: ATTEMPT_BUCKETS,
      registers,
    });
    this.httpRequests = new Histogram({
      name: 'forge_http_request_duration_seconds',
      help: 'HTTP requests from arrival to the end of the response, by method, route pattern and status class; for a stream, its whole life.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.sseClients = new Gauge({ name: 'forge_sse_clients', help: 'Server-Sent Events streams open now, by route.', labelNames: ['route'], registers });
    this.toolCalls = new Histogram({
      name: 'forge_mcp_tool_call_duration_seconds',
      help: 'MCP tool calls served over /mcp, by tool and outcome (ok, error, cancelled).',
      labelNames: ['tool', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.webhookDeliveries = new Counter({ name: 'forge_webhook_deliveries_total', help: 'Webhook delivery attempts, by outcome.', labelNames: ['outcome'], registers });
    this.webhookDeliveryDuration = new Histogram({
      name: 'forge_webhook_delivery_duration_seconds',
      help: 'Webhook delivery attempts from sending to the outcome, by outcome.',
      labelNames: ['outcome'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.events = new Counter({ name: 'forge_events_total', help: 'Events appended to the event log, by type; rate() gives events per second.', labelNames: ['type'], registers });
    // Every type from zero, so rate() sees a type's first events.
    for (const type of FORGE_EVENT_TYPES) this.events.inc({ type }, 0);
    this.timings = new AttemptTimings({
      queueWait: (executor, seconds) => queueWait.observe({ executor }, seconds),
      worktreeReady: (executor, seconds) => worktree.observe({ executor }, seconds),
      finished: (state, executor, seconds) => duration.observe({ state, executor }, seconds),
    });
    this.registry = Registry.merge([this.own, processMetrics()]);
  }

  /** Follows the event log from now on, and adopts the attempts already live. */
  static async start(sources: MetricSources): Promise<ForgeMetrics> {
    const metrics = new ForgeMetrics(sources);
    // Subscribed first: an event that commits while the list is read wins over the list.
    sources.events.subscribe((event) => {
      metrics.events.inc({ type: event.type });
      metrics.timings.observe(event);
    });
    metrics.timings.adopt(await sources.listAttempts(LIVE_ATTEMPT_STATES));
    return metrics;
  }

  /** The text Prometheus scrapes. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  httpRequestDone(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  /** Counts an open SSE stream; the returned function uncounts it, once. */
  sseClientOpened(route: string): () => void {
    this.sseClients.inc({ route });
    let open = true;
    return () => {
      if (open) this.sseClients.dec({ route });
      open = false;
    };
  }

  /** Bound, so it can be handed over as a callback. */
  readonly mcpToolCalled = (tool: string, outcome: ToolCallOutcome, seconds: number): void => {
    this.toolCalls.observe({ tool, outcome }, seconds);
  };

  /** The webhook deliverer's `onOutcome(outcome, durationMs)` callback; bound, so it can be passed as it is. */
  readonly webhookDelivered = (outcome: string, durationMs: number): void => {
    this.webhookDeliveries.inc({ outcome });
    this.webhookDeliveryDuration.observe({ outcome }, durationMs / 1000);
  };
}
