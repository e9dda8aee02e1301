import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RequestError, type ReadTextFileRequest, type ReadTextFileResponse, type WriteTextFileRequest } from '@agentclientprotocol/sdk/unstable';
import { relativeToWorktree, type ExecutorEvent } from '@forge-core/sdk';
import { PathRefused, pathInsideWorktree } from './worktree-paths-guard.ts';

/** JSON-RPC's "invalid params": the agent named a path it may not use. */
const INVALID_PARAMS = -32602;
/** The largest file served to an agent: a read holds the whole file in the server's memory. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;
/** A write never follows a link at its last step, even one that appeared after the path was checked. */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

function refusal(error: unknown, requested: string, notes: (event: ExecutorEvent) => void): RequestError {
  if (error instanceof RequestError) return error;
  if (error instanceof PathRefused) {
    notes({ type: 'log', level: 'warn', text: `Refused the agent's file request: ${error.message}.` });
    return new RequestError(INVALID_PARAMS, `Refused: ${error.message}.`, { path: requested });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return RequestError.resourceNotFound(requested);
  return RequestError.internalError({ path: requested }, (error as Error).message);
}

/**
 * ACP's `fs/read_text_file` and `fs/write_text_file`, answered inside the attempt's worktree only.
 * A refused path is an error to the agent and a warning in the log; the run goes on. A write is
 * shown as a file change. The file calls are synchronous so the change lands in the log in the
 * order the agent's messages came.
 */
export class WorktreeFiles {
  readonly #worktree: string;
  readonly #roots: readonly string[];
  readonly #note: (event: ExecutorEvent) => void;

  constructor(worktree: string, roots: readonly string[], note: (event: ExecutorEvent) => void) {
    this.#worktree = worktree;
    this.#roots = roots;
    this.#note = note;
  }

  read(request: ReadTextFileRequest): ReadTextFileResponse {
    try {
      const file = pathInsideWorktree(this.#worktree, request.path);
      const size = statSync(file).size;
      if (size > MAX_READ_BYTES) {
        throw new RequestError(INVALID_PARAMS, `Refused: ${request.path} is ${(size / 1024 / 1024).toFixed(1)} MiB, more than the ${MAX_READ_BYTES / 1024 / 1024} MiB Forge reads for an agent; read it with a tool of your own.`, { path: request.path, size });
      }
      const content = readFileSync(file, 'utf8');
      if (request.line == null && request.limit == null) return { content };
      const lines = content.split('\n');
      const start = Math.max(0, (request.line ?? 1) - 1);
      const end = request.limit == null ? lines.length : start + request.limit;
      return { content: lines.slice(start, end).join('\n') };
    } catch (error) {
      throw refusal(error, request.path, this.#note);
    }
  }

  write(request: WriteTextFileRequest): Record<string, never> {
    try {
      const target = pathInsideWorktree(this.#worktree, request.path);
      const existed = existsSync(target);
      mkdirSync(path.dirname(target), { recursive: true });
      const fd = openSync(target, WRITE_FLAGS, 0o644);
      try {
        writeFileSync(fd, request.content);
      } finally {
        closeSync(fd);
      }
      this.#note({ type: 'file_change', path: relativeToWorktree(target, this.#roots), change: existed ? 'modified' : 'added' });
      return {};
    } catch (error) {
      throw refusal(error, request.path, this.#note);
    }
  }
}
