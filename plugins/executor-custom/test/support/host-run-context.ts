import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpServer } from '@forge-core/sdk';
import { createHostRunContext, makeTempDir, type HostRunContext } from '@forge-core/sdk/testing';

/** The folder of the fake CLI, put first on the agent's PATH as a server would have it installed. */
const FAKE_CLI_DIR = fileURLToPath(new URL('../fake-cli/', import.meta.url));

export interface HostRun {
  ctx: HostRunContext;
  worktree: string;
  scratchDir: string;
  /** Stops whatever the run left running, as the host does when a run ends, and removes the folders. */
  cleanup(): Promise<void>;
}

export interface HostRunOptions {
  mcpServers?: readonly McpServer[];
  config?: Record<string, unknown>;
}

/**
 * A run of the executor whose processes are real (the SDK's host run context), in fresh worktree
 * and scratch folders, with the fake CLI first on the PATH and HOME in the folders' root.
 */
export async function createHostRun(options: HostRunOptions = {}): Promise<HostRun> {
  const root = await makeTempDir('executor-custom');
  const worktree = path.join(root.path, 'worktree');
  const scratchDir = path.join(root.path, 'scratch');
  await Promise.all([mkdir(worktree), mkdir(scratchDir, { mode: 0o700 })]);
  const ctx = createHostRunContext({
    worktreePath: worktree,
    scratchDir,
    mcpServers: options.mcpServers ?? [],
    config: { passEnv: [], ...options.config },
    env: { PATH: `${FAKE_CLI_DIR}${path.delimiter}${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: root.path },
  });
  return {
    ctx,
    worktree,
    scratchDir,
    async cleanup() {
      await ctx.stopProcesses();
      await root.cleanup();
    },
  };
}
