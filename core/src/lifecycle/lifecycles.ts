import type { EventLog } from '../events/event-log.ts';
import type { Database } from '../store/database.ts';
import { ApprovalLifecycle } from './approval-lifecycle.ts';
import { AttemptLifecycle } from './attempt-lifecycle.ts';
import { ProcessLifecycle } from './process-lifecycle.ts';
import { TaskLifecycle } from './task-lifecycle.ts';

/** The writers of every row that has a state; each change is checked against its table and logged. */
export interface Lifecycles {
  tasks: TaskLifecycle;
  attempts: AttemptLifecycle;
  processes: ProcessLifecycle;
  approvals: ApprovalLifecycle;
}

export function createLifecycles(db: Database, events: EventLog): Lifecycles {
  const tasks = new TaskLifecycle(db, events);
  return {
    tasks,
    attempts: new AttemptLifecycle(db, events, tasks),
    processes: new ProcessLifecycle(db, events),
    approvals: new ApprovalLifecycle(db, events),
  };
}
