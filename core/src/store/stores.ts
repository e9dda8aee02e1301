import { ApprovalStore } from './approval-store.ts';
import { AttemptStore } from './attempt-store.ts';
import { ConcurrencyLimitStore } from './concurrency-limit-store.ts';
import type { Database } from './database.ts';
import { EventStore } from './event-store.ts';
import { LogStore } from './log-store.ts';
import { ProcessStore } from './process-store.ts';
import { ProfileStore } from './profile-store.ts';
import { ProjectStore } from './project-store.ts';
import { PullRequestStore } from './pull-request-store.ts';
import { TaskDependencyStore } from './task-dependency-store.ts';
import { TaskStore } from './task-store.ts';

/** Every repository over one database; with the lifecycle modules, the only places SQL lives. */
export interface Stores {
  db: Database;
  projects: ProjectStore;
  tasks: TaskStore;
  taskDependencies: TaskDependencyStore;
  attempts: AttemptStore;
  processes: ProcessStore;
  logs: LogStore;
  events: EventStore;
  approvals: ApprovalStore;
  profiles: ProfileStore;
  pullRequests: PullRequestStore;
  concurrencyLimits: ConcurrencyLimitStore;
}

export function createStores(db: Database): Stores {
  return {
    db,
    projects: new ProjectStore(db),
    tasks: new TaskStore(db),
    taskDependencies: new TaskDependencyStore(db),
    attempts: new AttemptStore(db),
    processes: new ProcessStore(db),
    logs: new LogStore(db),
    events: new EventStore(db),
    approvals: new ApprovalStore(db),
    profiles: new ProfileStore(db),
    pullRequests: new PullRequestStore(db),
    concurrencyLimits: new ConcurrencyLimitStore(db),
  };
}
