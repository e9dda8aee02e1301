import { ConfigError, loadConfig } from '../config/config.ts';
import { packReportText } from '../plugins/pack-report-text.ts';
import { startServer } from '../start-server.ts';
import { pluginsCommand } from './plugins-command.ts';

const USAGE = `Usage: forge <command>

Commands:
  serve      Start the Forge Core server (configuration: FORGE_* environment variables,
             or $FORGE_HOME/config.json; see README.md)
  plugins    List, add, remove, enable and disable packs (forge plugins help)
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
      packs: forge.registry.packs.map((p) => ({ name: p.name, status: p.status, code: p.error?.code })),
    },
    `Forge Core listening on ${running.url}`,
  );
  // The one startup report: every pack, its status, and for each one not loaded, why.
  const allLoaded = forge.registry.packs.every((p) => p.status === 'loaded');
  forge.logger[allLoaded ? 'info' : 'warn'](packReportText(forge.registry.packs));
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
  // A pack's stray promise must not take the server down (a host bug would not be hidden: it is logged).
  process.on('unhandledRejection', (reason) => forge.logger.error({ err: reason }, 'unhandled promise rejection; still serving'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const command = process.argv[2] ?? 'help';
try {
  if (command === 'serve') await serve();
  else if (command === 'plugins') {
    const code = await pluginsCommand(loadConfig(), process.argv.slice(3), (text) => console.log(text));
    // Exits once the output is written: a pack imported to list it may hold a timer or socket open.
    process.stdout.write('', () => process.exit(code));
  }
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
