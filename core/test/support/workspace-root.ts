import { fileURLToPath } from 'node:url';

/** The repository root: where the tests find the workspace's packages, scripts and the build. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
