import { ConfigError, loadConfig } from '../config/config.ts';
import { startServer } from '../start-server.ts';

const USAGE = `Usage: forge <command>

Commands:
  serve      Start the Forge Core server (configuration: FORGE_* environment variables,
             or $FORGE_HOME/config.json; see README.md)
  help       Show this help`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const running = await startServer(config);
  const { forge } = running;
  forge.logger.info(
    {
      url: running.url,
      home: config.home,
      database: config.databaseUrl,
      worktrees: config.worktreesDir,
      packs: forge.registry.packs.map((p) => ({ name: p.name, status: p.status, executors: p.executors, error: p.error?.message })),
    },
    `Forge Core listening on ${running.url}`,
  );
  for (const pack of forge.registry.packs.filter((p) => p.status !== 'loaded')) {
    forge.logger.warn({ pack: pack.name, code: pack.error?.code }, pack.error?.message ?? 'pack not loaded');
  }
  const shutdown = (signal: string) => {
    forge.logger.info(`${signal} received, stopping`);
    running.stop().then(
      () => process.exit(0),
      (error) => {
        forge.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const command = process.argv[2] ?? 'help';
try {
  if (command === 'serve') await serve();
  else {
    console.log(USAGE);
    if (command !== 'help' && command !== '--help') process.exitCode = 2;
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
