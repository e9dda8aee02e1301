import pino from 'pino';
import { createLogger } from '../observability/logger.ts';
import { ForgeError } from '@forge-core/sdk';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { ForgeConfig } from '../config/config.ts';
import { createForge } from '../forge.ts';
import { lockHome } from '../locks/home-lock.ts';
import { createForgeMcpServer } from '../mcp/forge-mcp-server.ts';
import { localInvoker, type OperationInvoker } from '../mcp/operation-invoker.ts';
import { remoteChanges } from '../mcp/remote-changes.ts';
import { remoteInvoker } from '../mcp/remote-invoker.ts';
import { localChanges, ResourceChanges, type ChangeSource } from '../mcp/resource-changes.ts';
import { startServer } from '../start-server.ts';
import { parseOptions } from './parse-options.ts';
import { localServerUrl } from './running-server.ts';
import { onStopRequest } from './stop-signals.ts';

export const MCP_USAGE = `Usage: forgecore mcp

Serves MCP (Model Context Protocol) over stdin and stdout, for an MCP client that starts it
(Claude Desktop, Claude Code, Cursor, …); both protocol eras (2025-11-25 and 2026-07-28).

When the Forge Core server of this configuration (FORGE_HOST, FORGE_PORT, FORGE_API_TOKEN and
$FORGE_HOME/config.json) is running, it works through that server's REST API and never opens
the database itself. Otherwise it starts that server in this process (listening on its port as
usual, so the REST API and /mcp work too) and stops it when the client closes stdin.
Logs go to stderr: stdout carries only MCP messages.
  -h, --help   show this help`;

// A server that does not answer its health check this fast is taken as not running here.
const PROBE_MS = 2_000;

/** `forgecore mcp`: resolves when the MCP client has gone and everything is stopped. */
export async function mcpCommand(config: ForgeConfig, args: readonly string[], print: (text: string) => void): Promise<number> {
  const { values } = parseOptions('forgecore mcp', args, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    print(MCP_USAGE);
    return 0;
  }
  const logger = createLogger(config, pino.destination(2));
  const backend = lazyBackend(config, logger);
  const changes = new ResourceChanges(backend.changes);
  // The client closing stdin ends the session, as a stop signal does.
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('close', resolve);
    onStopRequest(() => resolve());
  });
  const handle = serveStdio(({ era }) => createForgeMcpServer({ invoke: backend.invoke, logger, changes: { source: changes, era } }), {
    onerror: (error) => logger.debug({ err: error }, 'MCP message refused or failed'),
  });
  await ended;
  await handle.close();
  await backend.stop();
  return 0;
}

interface Backend {
  invoke: OperationInvoker;
  changes: ChangeSource;
  stop(): Promise<void>;
}

/**
 * The server the tools work on, found or started at the first call, not at the handshake: a
 * client that only probes the protocol (one more process per connect, in some clients) must
 * not take FORGE_HOME or start a server.
 */
function lazyBackend(config: ForgeConfig, logger: pino.Logger): Backend {
  let started: Promise<Backend> | null = null;
  // Watchers of changes attach to whichever backend serves: changes matter once something was
  // read or done, which starts one, and move to the next one when a running server went away.
  const watchers = new Set<Watcher>();
  const attachAll = (backend: Backend) => {
    for (const watcher of watchers) watcher.detach ??= watcher.attach(backend);
  };
  const detachAll = () => {
    for (const watcher of watchers) {
      watcher.detach?.();
      watcher.detach = null;
    }
  };
  const ready = () => {
    const connecting = (started ??= connect(config, logger, () => {
      // The running server went away: the next call finds another, or starts one here.
      if (started !== connecting) return;
      started = null;
      detachAll();
    }).then(
      (backend) => {
        attachAll(backend);
        return backend;
      },
      (error: unknown) => {
        // The next call tries again (the server may have been started meanwhile); this one says why it failed.
        started = null;
        if (error instanceof ForgeError) throw error;
        throw new ForgeError('FORGE_INTERNAL', `forgecore mcp could not reach or start Forge Core: ${(error as Error).message}`, {});
      },
    ));
    return connecting;
  };
  const watch = (attach: (backend: Backend) => () => void) => {
    const watcher: Watcher = { attach, detach: null };
    watchers.add(watcher);
    void started?.then(attachAll, () => undefined);
    return () => {
      watchers.delete(watcher);
      watcher.detach?.();
    };
  };
  return {
    invoke: async (operation, input, options) => (await ready()).invoke(operation, input, options),
    changes: {
      onStateChange: (listener) => watch((backend) => backend.changes.onStateChange(listener)),
      onLogEntry: (listener) => watch((backend) => backend.changes.onLogEntry(listener)),
    },
    stop: async () => (await started?.catch(() => null))?.stop(),
  };
}

interface Watcher {
  attach: (backend: Backend) => () => void;
  detach: (() => void) | null;
}

/** The running server of this configuration, through its REST API; else one started in this process. */
async function connect(config: ForgeConfig, logger: pino.Logger, lost: () => void): Promise<Backend> {
  const url = localServerUrl(config);
  if (config.port !== 0 && (await answersAsForge(url))) {
    await requireToken(url, config.apiToken);
    logger.info(`serving MCP on stdio through the Forge Core server at ${url}`);
    return { invoke: remoteInvoker(url, config.apiToken, lost), changes: remoteChanges(url, config.apiToken), stop: async () => undefined };
  }
  const lock = lockHome(config.home, `forgecore mcp, ${url}`);
  try {
    const server = await startServer(config, await createForge(config, logger));
    server.forge.logger.info(`Forge Core listening on ${server.url}; serving MCP on stdio`);
    return {
      invoke: localInvoker(server.forge),
      changes: localChanges(server.forge.events, server.forge.liveLogs),
      async stop() {
        await server.stop();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function answersAsForge(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(PROBE_MS) });
    const body = (await response.json()) as { status?: unknown; contractVersion?: unknown };
    return response.ok && body.status === 'ok' && typeof body.contractVersion === 'string';
  } catch {
    return false;
  }
}

/** A running server that will refuse our token is said at once, not at the first tool call. */
async function requireToken(url: string, token: string | undefined): Promise<void> {
  const response = await fetch(`${url}/api/v1/projects?limit=1`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status === 401) {
    throw new ForgeError(
      'FORGE_UNAUTHORIZED',
      `The Forge Core server at ${url} needs its API token: give forgecore mcp the server's FORGE_API_TOKEN (or apiToken in $FORGE_HOME/config.json).`,
    );
  }
}
