import http from 'node:http';

export interface ScriptedServer {
  /** Its root, http://127.0.0.1:<port>. */
  url: string;
  /** Every request it got, as "METHOD /path?query", in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that is not Forge Core, for what a client does with answers
 * Forge would never give: `answer` writes each response, or leaves it unwritten to hold the
 * request open for good. Every request is recorded first.
 */
export async function startScriptedServer(answer: (request: http.IncomingMessage, response: http.ServerResponse) => void): Promise<ScriptedServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
