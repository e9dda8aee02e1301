import { approvalOperations } from './approvals.ts';
import { attemptOperations } from './attempts.ts';
import { dependencyOperations } from './dependencies.ts';
import { eventOperations } from './events.ts';
import { executorProfileOperations } from './executor-profiles.ts';
import { executorOperations } from './executors.ts';
import { logOperations } from './logs.ts';
import { replayOperations } from './replay.ts';
import { devServerOperations } from './dev-server.ts';
import type { Operation } from './operation.ts';
import { pluginOperations } from './plugins.ts';
import { projectOperations } from './projects.ts';
import { pullRequestOperations } from './pull-requests.ts';
import { queueOperations } from './queue.ts';
import { systemOperations } from './system.ts';
import { taskOperations } from './tasks.ts';
import { webhookOperations } from './webhooks.ts';

/** Everything a client can do, each declared once; rest-mount.ts serves it over HTTP. */
export const operations: readonly Operation[] = [
  ...systemOperations,
  ...projectOperations,
  ...taskOperations,
  ...dependencyOperations,
  ...attemptOperations,
  ...queueOperations,
  ...pullRequestOperations,
  ...logOperations,
  ...replayOperations,
  ...devServerOperations,
  ...eventOperations,
  ...executorOperations,
  ...executorProfileOperations,
  ...approvalOperations,
  ...pluginOperations,
  ...webhookOperations,
];
