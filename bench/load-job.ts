/** What the parent asks the load client to do: one closed-loop run against the server. */
export interface LoadJob {
  baseUrl: string;
  method: 'GET' | 'POST';
  /** Request i goes to paths[i % paths.length]. */
  paths: string[];
  /** JSON text in which every `{i}` becomes the request's index, so created tasks differ. */
  bodyTemplate?: string;
  /** Sent with every request (an MCP client's protocol headers). */
  headers?: Record<string, string>;
  /** An answer of the expected status counts as an error when its body holds one of these (an MCP tool error answers 200). */
  errorMarkers?: string[];
  /** Clients, each with its own keep-alive connection, each sending its next request as soon as the last one answers. */
  concurrency: number;
  /** Requests sent first and not measured: they open the connections and warm the JIT on both sides. */
  warmup: number;
  count: number;
  expectStatus: number;
  /** The run stops sending when this is over, whatever is left of `count`. */
  timeLimitMs: number;
  /**
   * Open every client's connection first with a GET of this path (not measured), so the timed
   * requests measure the server's work and not 50 TCP handshakes made at once by the client.
   */
  preconnectPath?: string;
  /** Return the measured responses' bodies (the caller needs the ids they carry). */
  keepBodies?: boolean;
}

export interface LoadResult {
  latenciesMs: number[];
  /** From the first measured request sent to the last one answered. */
  wallMs: number;
  startedAtEpochMs: number;
  /** Body bytes of all measured responses. */
  responseBytes: number;
  errors: number;
  firstError: string | null;
  timedOut: boolean;
  bodies: string[];
}

export type LoadRequestMessage = { id: number; job: LoadJob };
export type LoadReplyMessage = { id: number; result: LoadResult } | { id: number; error: string };
