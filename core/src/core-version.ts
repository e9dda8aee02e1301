import { readFileSync } from 'node:fs';

/** The version of @forge-core/core, read from the package this code comes with. */
export const CORE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
