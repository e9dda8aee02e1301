import { closeSync, constants, fstatSync, mkdirSync, openSync, readlinkSync, readSync, realpathSync, unlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { RequestError, type ReadTextFileRequest, type ReadTextFileResponse, type WriteTextFileRequest } from '@agentclientprotocol/sdk/unstable';
import { relativeToWorktree, type ExecutorEvent } from '@forge-core/sdk';
import { PathRefused, pathInsideWorktree } from './worktree-paths-guard.ts';

/** JSON-RPC's "invalid params": the agent named a path it may not use. */
const INVALID_PARAMS = -32602;
/** The largest file served to an agent: a read holds the whole file, and its answer, in the server's memory. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;
/**
 * Never through a link at the last step, and never waiting: a named pipe would block the
 * server's one thread until something opened its other end.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function refusal(error: unknown, requested: string, notes: (event: ExecutorEvent) => void): RequestError {
  if (error instanceof RequestError) return error;
  if (error instanceof PathRefused) {
    notes({ type: 'log', level: 'warn', text: `Refused the agent's file request: ${error.message}.` });
    return new RequestError(INVALID_PARAMS, `Refused: ${error.message}.`, { path: requested });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return RequestError.resourceNotFound(requested);
  if (code === 'ELOOP') return refusal(new PathRefused(`${requested} is a symbolic link`), requested, notes);
  if (code === 'ENXIO' || code === 'EISDIR') return refusal(new PathRefused(`${requested} is not a regular file`), requested, notes);
  return RequestError.internalError({ path: requested }, (error as Error).message);
}

/**
 * Checks what was opened, not only the path that was asked for (a link swapped in between the
 * check and the open would otherwise win): on Linux the descriptor's own path must still lie in
 * the worktree; it must be a plain file with no other name (a hard link shares its content with a
 * path that may be outside).
 */
function checkOpened(fd: number, requested: string, worktree: string): void {
  const stat = fstatSync(fd);
  if (!stat.isFile()) throw new PathRefused(`${requested} is not a regular file`);
  if (stat.nlink > 1) throw new PathRefused(`${requested} has other names (hard links), which may lie outside the worktree`);
  let opened: string;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return; // No /proc (macOS): the path check before the open is what there is.
  }
  const relative = path.relative(realpathSync(worktree), opened);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new PathRefused(`${requested} led outside the attempt's worktree when it was opened`);
}

/** Removes the file a descriptor was opened on: one this write made where it must not be. */
function removeOpened(fd: number): void {
  try {
    unlinkSync(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    // Without /proc the write was refused before it could have been made outside.
  }
}

/**
 * ACP's `fs/read_text_file` and `fs/write_text_file`, answered inside the attempt's worktree only.
 * A refused path is an error to the agent and a warning in the log; the run goes on. A write is
 * shown as a file change. The file calls are synchronous (and never block: see the flags) so the
 * change lands in the log in the order the agent's messages came.
 *
 * This bounds what Forge does for the agent; it is no sandbox for the agent's own tools, which
 * run with the user's rights.
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
    let fd: number | undefined;
    try {
      fd = openSync(pathInsideWorktree(this.#worktree, request.path), READ_FLAGS);
      checkOpened(fd, request.path, this.#worktree);
      const size = fstatSync(fd).size;
      if (size > MAX_READ_BYTES) {
        throw new RequestError(INVALID_PARAMS, `Refused: ${request.path} has ${size} bytes, more than the ${MAX_READ_BYTES} Forge reads for an agent; read it with a tool of your own.`, {
          path: request.path,
          size,
        });
      }
      // What the descriptor said, however the file grows meanwhile.
      const buffer = Buffer.alloc(size);
      const read = readSync(fd, buffer, 0, size, 0);
      const content = buffer.subarray(0, read).toString('utf8');
      if (request.line == null && request.limit == null) return { content };
      const lines = content.split('\n');
      const start = Math.max(0, (request.line ?? 1) - 1);
      const end = request.limit == null ? lines.length : start + request.limit;
      return { content: lines.slice(start, end).join('\n') };
    } catch (error) {
      throw refusal(error, request.path, this.#note);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  write(request: WriteTextFileRequest): Record<string, never> {
    let fd: number | undefined;
    let created = false;
    let target: string | undefined;
    try {
      target = pathInsideWorktree(this.#worktree, request.path);
      mkdirSync(path.dirname(target), { recursive: true });
      try {
        fd = openSync(target, WRITE_FLAGS);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // A new file, made here and only here: should it have landed outside, it is ours to remove.
        fd = openSync(target, WRITE_FLAGS | constants.O_CREAT | constants.O_EXCL, 0o644);
        created = true;
      }
      checkOpened(fd, request.path, this.#worktree);
      ftruncateSync(fd, 0);
      writeFileSync(fd, request.content);
      this.#note({ type: 'file_change', path: relativeToWorktree(target, this.#roots), change: created ? 'added' : 'modified' });
      return {};
    } catch (error) {
      if (created && fd !== undefined && error instanceof PathRefused) removeOpened(fd);
      throw refusal(error, request.path, this.#note);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
