import { loadConfig } from '../config/config.ts';
import { packReportText } from '../plugins/pack-report-text.ts';
import { lockHome } from '../locks/home-lock.ts';
import { startServer } from '../start-server.ts';
import { UsageError, parseOptions } from './parse-options.ts';
import { onStopRequest } from './stop-signals.ts';

export const SERVE_USAGE = `Usage: forgecore serve [--port <port>] [--host <address>]

Starts the Forge Core server. It reads FORGE_* environment variables and $FORGE_HOME/config.json
(see README.md); these options win over both:
  --port <port>      the port to listen on (FORGE_PORT, default 8887; 0 picks a free one)
  --host <address>   the address to bind (FORGE_HOST, default 127.0.0.1; any other needs FORGE_API_TOKEN)
  -h, --help         show this help

SIGINT, SIGTERM or SIGHUP stop it gracefully: running attempts end cancelled with their work
committed on their branch; queued ones start at the next start.`;

const PORT = /^\d{1,5}$/;

/** `forgecore serve`: returns once the server listens (it then runs until a stop request), or prints the help. */
export async function serveCommand(args: readonly string[], print: (text: string) => void): Promise<void> {
  const { values } = parseOptions('forgecore serve', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return print(SERVE_USAGE);
  if (values.port !== undefined && (!PORT.test(values.port) || Number(values.port) > 65535)) {
    throw new UsageError(`--port must be a port number from 0 to 65535, got "${values.port}".`, 'forgecore serve');
  }
  // Through the environment the loader reads, so the flags get the same checks as FORGE_PORT and FORGE_HOST.
  const config = loadConfig({
    ...process.env,
    ...(values.port !== undefined && { FORGE_PORT: values.port }),
    ...(values.host !== undefined && { FORGE_HOST: values.host }),
  });
  const lock = lockHome(config.home, `forgecore serve, port ${config.port}`);
  const running = await startServer(config);
  const { forge } = running;
  forge.logger.info(
    {
      url: running.url,
      home: config.home,
      database: config.databaseUrl,
      worktrees: config.worktreesDir,
      packs: forge.registry.packs.map((p) => ({ name: p.name, status: p.status, code: p.error?.code })),
    },
    `Forge Core listening on ${running.url}`,
  );
  // The one startup report: every pack, its status, and for each one not loaded, why.
  const allLoaded = forge.registry.packs.every((p) => p.status === 'loaded');
  forge.logger[allLoaded ? 'info' : 'warn'](packReportText(forge.registry.packs));
  // A pack's stray promise must not take the server down (a host bug would not be hidden: it is logged).
  process.on('unhandledRejection', (reason) => forge.logger.error({ err: reason }, 'unhandled promise rejection; still serving'));
  let stopping = false;
  onStopRequest((reason) => {
    if (stopping) return forge.logger.info(`${reason}: already stopping (SIGKILL stops at once; the next start recovers what is left)`);
    stopping = true;
    forge.logger.info(`${reason}: stopping gracefully`);
    running.stop().then(
      () => {
        lock.release();
        process.exit(0);
      },
      (error) => {
        forge.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
