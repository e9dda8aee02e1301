import { approvalOperations } from './approvals.ts';
import { attemptOperations } from './attempts.ts';
import { eventOperations } from './events.ts';
import { executorProfileOperations } from './executor-profiles.ts';
import { executorOperations } from './executors.ts';
import { logOperations } from './logs.ts';
import type { Operation } from './operation.ts';
import { pluginOperations } from './plugins.ts';
import { projectOperations } from './projects.ts';
import { pullRequestOperations } from './pull-requests.ts';
import { systemOperations } from './system.ts';
import { taskOperations } from './tasks.ts';

/** Everything a client can do, each declared once; rest-mount.ts serves it over HTTP. */
export const operations: readonly Operation[] = [
  ...systemOperations,
  ...projectOperations,
  ...taskOperations,
  ...attemptOperations,
  ...pullRequestOperations,
  ...logOperations,
  ...eventOperations,
  ...executorOperations,
  ...executorProfileOperations,
  ...approvalOperations,
  ...pluginOperations,
];
