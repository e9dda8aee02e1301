import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadReplyMessage, LoadResult } from './load-job.ts';
import { stopChild } from './server-process.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

/** The load generator child process; one lives for the whole run so its code stays warm. */
export class LoadClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(r: LoadResult): void; reject(e: Error): void }>();
  private nextId = 1;

  constructor() {
    this.child = fork(CLIENT_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: LoadReplyMessage) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(`load client: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    this.child.once('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load client exited with ${code}`));
      this.pending.clear();
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job });
    });
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await stopChild(this.child, 'SIGTERM');
  }
}
