import http from 'node:http';
import { requestJson } from './http.ts';

export interface Attempt {
  id: string;
  taskId: string;
  state: string;
  createdAt: string;
  startedAt: string | null;
  worktreeReadyAt: string | null;
  agentStartedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
}

export interface Task {
  id: string;
  status: string;
}

const FINAL_STATES = ['succeeded', 'failed', 'cancelled'];

/** The few REST calls the bench makes for setup and to follow attempts; none of them is measured here. */
export class ForgeApi {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(readonly baseUrl: string) {}

  private call<T>(method: string, path: string, payload: unknown, expected: number): Promise<T> {
    return requestJson<T>(this.agent, `${this.baseUrl}/api/v1${path}`, method, payload, expected);
  }

  async createProject(name: string, repoPath: string): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/projects', { name, repoPath }, 201)).id;
  }

  async createTask(projectId: string, title: string, description: string): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/tasks', { projectId, title, description }, 201)).id;
  }

  startAttempt(taskId: string, executor: string, options: Record<string, unknown> = {}): Promise<Attempt> {
    return this.call('POST', `/tasks/${taskId}/attempts`, { executor, options }, 202);
  }

  attempt(id: string): Promise<Attempt> {
    return this.call('GET', `/attempts/${id}`, undefined, 200);
  }

  /** One page (up to 1,000 entries) of an attempt's stored log, after sequence number `after`. */
  /** How many entries an attempt's stored log holds, paged through to its end. */
  async storedEntryCount(attemptId: string): Promise<number> {
    let count = 0;
    for (let after: number | null = 0; after !== null; ) {
      const page = await this.logPage(attemptId, after);
      count += page.items.length;
      after = page.nextAfter;
    }
    return count;
  }

  logPage(attemptId: string, after: number): Promise<{ items: { seq: number }[]; nextAfter: number | null }> {
    return this.call('GET', `/attempts/${attemptId}/logs?after=${after}&limit=1000`, undefined, 200);
  }

  async listTasks(projectId: string): Promise<Task[]> {
    return (await this.call<{ items: Task[] }>('GET', `/tasks?projectId=${projectId}&limit=1000`, undefined, 200)).items;
  }

  /** Polls until the attempt reaches a final state; throws when `timeLimitMs` is over first. */
  async waitForAttempt(id: string, pollMs: number, timeLimitMs: number): Promise<Attempt> {
    const deadline = Date.now() + timeLimitMs;
    for (;;) {
      const attempt = await this.attempt(id);
      if (FINAL_STATES.includes(attempt.state)) return attempt;
      if (Date.now() > deadline) throw new Error(`attempt ${id} still ${attempt.state} after ${timeLimitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
