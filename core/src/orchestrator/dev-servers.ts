import { ForgeError } from '@forge-core/sdk';
import { HostProcess } from '@forge-core/sdk/process';
import type { Logger } from 'pino';
import { remoteUrls } from '../git/repository.ts';
import type { Lifecycles } from '../lifecycle/lifecycles.ts';
import { killMarkedProcesses } from '../runtime/attempt-processes.ts';
import { acceptsConnections, announcedPort, freeLocalPort, type AnnouncedPort } from '../runtime/dev-server-port.ts';
import { agentEnvironment } from '../runtime/environment.ts';
import type { LogLease, LogPipelines } from '../runtime/log-pipelines.ts';
import { killOrphanGroup } from '../runtime/orphan-process.ts';
import { processStartTime } from '../runtime/process-table.ts';
import { credentialsInUrl } from '../runtime/redact-credentials.ts';
import { FINISHED_ATTEMPT_STATES, type Attempt } from '../store/attempt-store.ts';
import type { ProcessRecord, ProcessStatus } from '../store/process-store.ts';
import type { Project } from '../store/project-store.ts';
import type { Stores } from '../store/stores.ts';
import { withAttemptLock } from '../worktrees/attempt-lock.ts';
import type { WorktreeManager } from '../worktrees/worktree-manager.ts';

/**
 * Every process of a dev server has this variable, set to its process id, in its environment,
 * so what leaves its process group is still found (spec/decisions/0016). Not the attempt's own
 * marker: the sweep that ends each run of the attempt must leave its dev server running.
 */
export const DEV_SERVER_MARKER = 'FORGE_DEV_SERVER_ID';

// A dev server is asked to stop with SIGTERM (most close their watchers and sockets on it), then killed.
const STOP_GRACE_MS = 3_000;

export type DevServerState = 'starting' | 'running' | 'stopped' | 'exited';

/** A dev server as clients see it: the one running in the attempt's worktree, or the last one that ran. */
export interface DevServer {
  processId: string;
  attemptId: string;
  /** starting: no port seen yet; running: its port is known; stopped: stopped by Forge; exited: ended by itself. */
  state: DevServerState;
  pid: number | null;
  /** Where it listens: the port its output announced, or PORT once that accepts connections. */
  port: number | null;
  url: string | null;
  /** The free port it was given as PORT; null for one this server did not start. */
  assignedPort: number | null;
  startedAt: string;
  finishedAt: string | null;
  exitCode: number | null;
  error: string | null;
}

export interface DevServerDeps {
  stores: Stores;
  lifecycles: Lifecycles;
  logs: LogPipelines;
  worktrees: WorktreeManager;
  nodeId: string;
  logger: Logger;
}

/** A dev server this process started, from before its row exists until it has ended. */
interface Run {
  attemptId: string;
  assignedPort: number;
  processId?: string;
  child?: HostProcess;
  startedAt?: string;
  /** The first port its output announced. */
  announced: AnnouncedPort | null;
  /** Whether PORT has answered a connection: one that listens there without saying so is running too. */
  answersOnPort: boolean;
  /** Settles once it is started, or could not be. */
  launched?: Promise<void>;
  /** Why Forge stopped it, once it did; its row then ends cancelled. */
  stopReason: string | null;
  /** Settles once its row is ended and its last lines stored. */
  ended?: Promise<void>;
}

/**
 * Runs a project's dev script in an attempt's worktree, at most one per attempt: a process of
 * kind `dev` with PORT set to a free port, its output in the attempt's log, its port taken from
 * what it prints (or PORT, once that answers). It outlives the attempt's runs and ends when it
 * is stopped, when the attempt's task or project goes, or when the server stops; one a crashed
 * server left behind is killed at the next start (`settleOrphans`).
 */
export class DevServers {
  private readonly runs = new Map<string, Run>();
  private closing = false;

  constructor(private readonly deps: DevServerDeps) {}

  /** Starts the project's dev script in the attempt's worktree; the one already running there if there is one. */
  start(attemptId: string): Promise<DevServer> {
    // In turn with whatever removes the worktree (the retention, closing the task), and with another start.
    return withAttemptLock(attemptId, async () => {
      const earlier = this.runs.get(attemptId);
      if (earlier?.child && !earlier.child.hasExited) return this.liveView(earlier);
      // One that exited on its own is still ending its row: a new one starts after that.
      await earlier?.ended;
      const attempt = await this.attempt(attemptId);
      const project = await this.projectOf(attempt);
      if (!project.devScript) {
        throw new ForgeError(
          'FORGE_UNPROCESSABLE',
          `Project "${project.name}" has no dev script. Set one with PATCH /api/v1/projects/${project.id} {"devScript": "npm run dev"}; it runs in the attempt's worktree with PORT set to a free port.`,
          { projectId: project.id, field: 'devScript' },
        );
      }
      const worktree = await this.worktreeOf(attempt);
      const assignedPort = await freeLocalPort();
      // Checked as it is registered: stopAll stops every registered one.
      if (this.closing) throw new ForgeError('FORGE_CONFLICT', 'The server is shutting down; start the dev server again once it is back.', { attemptId });
      const run: Run = { attemptId, assignedPort, announced: null, answersOnPort: false, stopReason: null };
      // Held before its row exists, so a housekeeping pass never takes it for one a crash left.
      this.runs.set(attemptId, run);
      run.launched = this.launch(run, project, worktree, project.devScript);
      try {
        await run.launched;
      } catch (error) {
        this.runs.delete(attemptId);
        throw error;
      }
      return this.liveView(run);
    });
  }

  /** The running dev server, or the last one that ran; 404 when none ever ran. */
  async get(attemptId: string): Promise<DevServer> {
    await this.attempt(attemptId);
    const run = this.runs.get(attemptId);
    if (run?.child && !run.child.hasExited) return this.liveView(run);
    // One that has just exited is answered as its row ends.
    await run?.ended;
    const latest = await this.deps.stores.processes.latestOfKind(attemptId, 'dev');
    if (!latest) {
      throw new ForgeError('FORGE_NOT_FOUND', `No dev server has run in attempt ${attemptId}; start one with POST /api/v1/attempts/${attemptId}/dev-server.`, {
        attemptId,
      });
    }
    return storedView(latest);
  }

  /** Stops the attempt's dev server (SIGTERM to its group, SIGKILL after a grace); answers how it ended. */
  async stop(attemptId: string): Promise<DevServer> {
    await this.stopIfRunning(attemptId, 'Stopped on request.');
    return this.get(attemptId);
  }

  /** Stops the attempt's dev server if one runs here: before its worktree goes with its task or project. */
  async stopIfRunning(attemptId: string, reason = 'Its task was closed or deleted, or its project deleted.'): Promise<void> {
    const run = this.runs.get(attemptId);
    if (!run) return;
    // One being started is stopped once it is.
    await run.launched?.catch(() => undefined);
    if (!run.child) return;
    run.stopReason ??= reason;
    await run.child.stop(STOP_GRACE_MS);
    await run.ended;
  }

  /** Stops every dev server this process runs: the server is shutting down. */
  async stopAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.runs.keys()].map((attemptId) => this.stopIfRunning(attemptId, 'The server stopped.')));
  }

  /** Whether a dev server runs in the attempt's worktree here: the retention leaves that worktree alone. */
  isRunning(attemptId: string): boolean {
    return this.runs.has(attemptId);
  }

  /**
   * Kills the dev servers a previous server of this node left running when it died (their own
   * process groups outlive it) and ends their rows: by the recorded group, whose leader must
   * still be the process started, then by marker. Returns how many rows it settled.
   */
  async settleOrphans(): Promise<number> {
    const rows = await this.deps.stores.processes.listRunningOfKind('dev', this.deps.nodeId);
    const orphans = rows.filter((row) => {
      const run = this.runs.get(row.attemptId);
      // One being started has no row id yet: looked at again by the next pass.
      return !run || (run.processId !== undefined && run.processId !== row.id);
    });
    if (orphans.length === 0) return 0;
    for (const row of orphans) {
      if (row.pid !== null && row.pidStartTime !== null) await killOrphanGroup(row.pid, row.pidStartTime);
    }
    await killMarkedProcesses(DEV_SERVER_MARKER, orphans.map((row) => row.id));
    for (const row of orphans) {
      await this.deps.lifecycles.processes.finish(row.id, { status: 'failed', exitCode: null, error: 'The server stopped while this dev server ran; start it again.' });
    }
    this.deps.logger.info({ processIds: orphans.map((row) => row.id) }, 'killed dev servers a previous server left running');
    return orphans.length;
  }

  private async launch(run: Run, project: Project, worktree: string, script: string): Promise<void> {
    const lease = await this.deps.logs.acquire(run.attemptId);
    try {
      // What it prints of the repository's remote credentials stays out of the log, as for a run.
      lease.log.redact((await remoteUrls(project.repoPath)).flatMap(credentialsInUrl));
      const proc = await this.deps.lifecycles.processes.start(run.attemptId, 'dev');
      run.processId = proc.id;
      run.startedAt = proc.startedAt;
      run.child = new HostProcess('/bin/sh', ['-c', script], {
        cwd: worktree,
        env: agentEnvironment({ PORT: String(run.assignedPort), [DEV_SERVER_MARKER]: proc.id, FORGE_WORKTREE: worktree }),
      });
    } catch (error) {
      await lease.release();
      throw error;
    }
    const { child, processId } = run;
    if (child.pid !== undefined) {
      const pid = child.pid;
      void processStartTime(pid)
        .then((startTime) => this.deps.stores.processes.setPid(processId, pid, startTime))
        .catch((error) => this.deps.logger.error({ err: error, processId }, 'could not record the pid of a dev server'));
    }
    run.ended = this.follow(run, child, processId, lease);
  }

  /** Logs its output and watches for its port until it exits, then ends its row. */
  private async follow(run: Run, child: HostProcess, processId: string, lease: LogLease): Promise<void> {
    try {
      for await (const line of child.lines()) {
        lease.log.append(processId, 'log', { level: line.stream === 'stdout' ? 'info' : 'warn', stream: line.stream, text: line.text });
        const announced = announcedPort(line.text);
        // The first port said wins; the URL it is printed with later, if any, replaces one made up from it.
        if (announced && (!run.announced || (!run.announced.printed && announced.printed && announced.port === run.announced.port))) run.announced = announced;
      }
      const exit = await child.exited;
      // The group is gone; what left it is found by the marker.
      await killMarkedProcesses(DEV_SERVER_MARKER, [processId]);
      const status: Exclude<ProcessStatus, 'running'> = run.stopReason ? 'cancelled' : exit.code === 0 ? 'succeeded' : 'failed';
      const error =
        run.stopReason ?? (status === 'failed' ? `The dev script ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}.` : null);
      // Its last lines are stored before its row ends: a log stream that ends then has them all.
      await lease.release();
      await this.deps.lifecycles.processes.finish(processId, { status, exitCode: exit.code, error });
    } catch (error) {
      this.deps.logger.error({ err: error, attemptId: run.attemptId, processId }, 'following a dev server failed');
      await lease.release().catch(() => undefined);
    } finally {
      if (this.runs.get(run.attemptId) === run) this.runs.delete(run.attemptId);
    }
  }

  private async liveView(run: Run): Promise<DevServer> {
    if (!run.announced && !run.answersOnPort) run.answersOnPort = await acceptsConnections(run.assignedPort);
    // What it announced wins: PORT answering may be something else that took the port meanwhile.
    const listening = run.announced ?? (run.answersOnPort ? { port: run.assignedPort, url: `http://localhost:${run.assignedPort}/` } : null);
    return {
      processId: run.processId!,
      attemptId: run.attemptId,
      state: listening ? 'running' : 'starting',
      pid: run.child?.pid ?? null,
      port: listening?.port ?? null,
      url: listening?.url ?? null,
      assignedPort: run.assignedPort,
      startedAt: run.startedAt!,
      finishedAt: null,
      exitCode: null,
      error: null,
    };
  }

  private async attempt(attemptId: string): Promise<Attempt> {
    const attempt = await this.deps.stores.attempts.get(attemptId);
    if (!attempt) throw new ForgeError('FORGE_NOT_FOUND', `No attempt with id ${attemptId}.`, { attemptId });
    return attempt;
  }

  private async projectOf(attempt: Attempt): Promise<Project> {
    const task = await this.deps.stores.tasks.get(attempt.taskId);
    const project = task && (await this.deps.stores.projects.get(task.projectId));
    if (!project) throw new ForgeError('FORGE_NOT_FOUND', `The task or project of attempt ${attempt.id} was deleted.`, { attemptId: attempt.id });
    return project;
  }

  /** The worktree a dev server may run in: that of a running attempt, or one a finished attempt still has. */
  private async worktreeOf(attempt: Attempt): Promise<string> {
    const live = attempt.state === 'running';
    if (!live && !FINISHED_ATTEMPT_STATES.includes(attempt.state)) {
      throw new ForgeError(
        'FORGE_CONFLICT',
        `Attempt ${attempt.id} is ${attempt.state}: its worktree is not ready yet. Start the dev server once the attempt is running or has finished.`,
        { attemptId: attempt.id, state: attempt.state },
      );
    }
    if (!attempt.worktreePath || !(await this.deps.worktrees.exists(attempt.worktreePath))) {
      throw new ForgeError(
        'FORGE_CONFLICT',
        `Attempt ${attempt.id} has no worktree any more (the retention removed it, or its task was closed). Send a follow-up (POST /api/v1/attempts/${attempt.id}/follow-up) to make it again, then start the dev server.`,
        { attemptId: attempt.id, state: attempt.state },
      );
    }
    return attempt.worktreePath;
  }
}

/** A dev server from its row: one that ended, or one still marked running that this process does not hold. */
function storedView(row: ProcessRecord): DevServer {
  const state: DevServerState = row.status === 'running' ? 'running' : row.status === 'cancelled' ? 'stopped' : 'exited';
  return {
    processId: row.id,
    attemptId: row.attemptId,
    state,
    pid: row.pid,
    port: null,
    url: null,
    assignedPort: null,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    exitCode: row.exitCode,
    error: row.error,
  };
}
