export { loadConfig, type ForgeConfig } from './config/config.ts';
export { createForge, type Forge } from './forge.ts';
export { buildServer } from './api/server.ts';
export { startServer, type RunningServer } from './start-server.ts';
