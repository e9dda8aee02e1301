import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { LoadClient } from '../load-client-process.ts';
import type { LoadJob } from '../load-job.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { printTable } from '../table.ts';

export interface McpOverheadRow {
  operation: 'list_tasks' | 'create_task';
  /** rest: the REST route; then MCP's tools/call over Streamable HTTP in each protocol era. */
  surface: 'rest' | 'mcp 2026-07-28' | 'mcp 2025-11-25';
  latency: LatencySummary;
  errors: number;
  firstError: string | null;
  /** p50 minus the REST p50 of the same operation: what MCP adds. */
  overheadP50Ms: number;
}

/** What differs between the runs; the load shape is the same for all. */
type ReplayedJob = Omit<LoadJob, 'baseUrl' | 'concurrency' | 'warmup' | 'count' | 'timeLimitMs'>;

interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

// A tool error, or a JSON-RPC error, still answers HTTP 200.
const MCP_ERRORS = ['"isError":true', '"error":{"code":'];
const WARMUP = 2_000;
const COUNT = 2_000;
const TASKS_IN_PROJECT = 20;

/**
 * 12. The same operations over REST and as MCP tool calls, from the same load client, one
 * closed-loop client on a keep-alive connection. The MCP requests are the ones the official SDK
 * client sends (recorded from it, then replayed), so the difference is the server's MCP cost.
 */
export async function benchMcpOverhead(client: LoadClient, baseUrl: string, projectId: string): Promise<McpOverheadRow[]> {
  for (let i = 0; i < TASKS_IN_PROJECT; i++) {
    await fetch(`${baseUrl}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projectId, title: `listed ${i}` }) });
  }
  const listArgs = { projectId, limit: 100 };
  const createArgs = { projectId, title: 'Bench task {i}', description: 'Created by npm run bench.' };
  const surfaces: { surface: McpOverheadRow['surface']; list: ReplayedJob; create: ReplayedJob }[] = [
    {
      surface: 'rest',
      list: { method: 'GET', paths: [`/api/v1/tasks?projectId=${projectId}&limit=100`], expectStatus: 200 },
      create: { method: 'POST', paths: ['/api/v1/tasks'], bodyTemplate: JSON.stringify(createArgs), expectStatus: 201 },
    },
  ];
  const sessions: Client[] = [];
  for (const era of ['2026-07-28', '2025-11-25'] as const) {
    const list = await recordToolCall(baseUrl, era, 'list_tasks', listArgs, sessions);
    const create = await recordToolCall(baseUrl, era, 'create_task', createArgs, sessions);
    const replay = (call: RecordedRequest): ReplayedJob => ({
      method: 'POST',
      paths: [call.path],
      headers: call.headers,
      bodyTemplate: JSON.stringify(call.body),
      expectStatus: 200,
      errorMarkers: MCP_ERRORS,
    });
    surfaces.push({ surface: `mcp ${era}`, list: replay(list), create: replay(create) });
  }
  const rows: McpOverheadRow[] = [];
  for (const operation of ['list_tasks', 'create_task'] as const) {
    for (const { surface, list, create } of surfaces) {
      const result = await client.run({ baseUrl, concurrency: 1, warmup: WARMUP, count: COUNT, timeLimitMs: 60_000, ...(operation === 'list_tasks' ? list : create) });
      const firstError = result.timedOut ? `stopped by the time limit after ${result.latenciesMs.length} calls; ${result.firstError ?? ''}` : result.firstError;
      rows.push({ operation, surface, latency: summarize(result.latenciesMs), errors: result.errors, firstError, overheadP50Ms: 0 });
    }
  }
  // The 2025 sessions the replays used end now.
  await Promise.all(sessions.map((session) => (session.transport as StreamableHTTPClientTransport).terminateSession().then(() => session.close())));
  for (const row of rows) row.overheadP50Ms = row.latency.p50 - rows.find((r) => r.operation === row.operation && r.surface === 'rest')!.latency.p50;
  printTable(
    `12. MCP tool calls beside REST (1 client, keep-alive, ${COUNT} calls after ${WARMUP} warm-up; ms)`,
    ['operation', 'surface', 'p50', 'p95', 'p99', 'MCP adds at p50', 'errors'],
    rows.map((r) => [r.operation, r.surface, r.latency.p50, r.latency.p95, r.latency.p99, r.surface === 'rest' ? '' : r.overheadP50Ms.toFixed(2), r.errors]),
  );
  for (const row of rows) if (row.firstError) console.log(`   ${row.operation} ${row.surface}: ${row.firstError}`);
  return rows;
}

/**
 * The exact tools/call request the official client sends in this era (its headers, its session
 * when the era has one), with the request id and, for create_task, the title made per request.
 */
async function recordToolCall(
  baseUrl: string,
  era: '2026-07-28' | '2025-11-25',
  name: string,
  args: Record<string, unknown>,
  sessions: Client[],
): Promise<RecordedRequest> {
  let recorded: RecordedRequest | null = null;
  const recordingFetch = async (url: string | URL, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : null;
    if (body?.method === 'tools/call') {
      recorded = { path: new URL(url).pathname, headers: Object.fromEntries(new Headers(init!.headers).entries()), body: { ...body, id: '{i}' } };
    }
    return fetch(url, init);
  };
  const mcp = new Client({ name: 'forge-bench', version: '1.0.0' }, era === '2026-07-28' ? { versionNegotiation: { mode: { pin: era } } } : {});
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { fetch: recordingFetch }));
  const result = await mcp.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed while recording it: ${JSON.stringify(result.content)}`);
  // A 2025 session stays open: the replayed calls use it.
  if (era === '2026-07-28') await mcp.close();
  else sessions.push(mcp);
  if (!recorded) throw new Error(`the client sent no tools/call for ${name}`);
  const request = recorded as RecordedRequest;
  // The id is a string here ("{i}" replaced per request), as JSON-RPC allows.
  return { ...request, headers: withoutLength(request.headers) };
}

function withoutLength(headers: Record<string, string>): Record<string, string> {
  const { 'content-length': _length, ...rest } = headers;
  return rest;
}
