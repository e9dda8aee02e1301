import type Hapi from '@hapi/hapi';
import { buildServer } from './api/server.ts';
import type { ForgeConfig } from './config/config.ts';
import { createForge, type Forge } from './forge.ts';

export interface RunningServer {
  forge: Forge;
  server: Hapi.Server;
  url: string;
  stop(): Promise<void>;
}

/** Opens the database, loads the packs, listens, then starts recovery and the scheduler. */
export async function startServer(config: ForgeConfig, forge?: Forge): Promise<RunningServer> {
  const app = forge ?? (await createForge(config));
  const server = await buildServer(app);
  try {
    await server.start();
  } catch (error) {
    // Not listening (the port is taken): nothing keeps the database open.
    await app.close();
    throw error;
  }
  const url = server.info.uri.replace('0.0.0.0', '127.0.0.1');
  app.ownMcp.listening(url);
  app.startBackgroundWork();
  let stopping: Promise<void> | null = null;
  return {
    forge: app,
    server,
    url,
    stop() {
      stopping ??= (async () => {
        await server.stop({ timeout: 2_000 });
        await app.close();
      })();
      return stopping;
    },
  };
}
