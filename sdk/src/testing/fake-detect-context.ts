import type { CommandResult, DetectContext } from '../context.ts';

export interface FakeDetectContextOptions {
  /** The fake PATH: the executables on it, by name, with their absolute paths. */
  onPath?: Readonly<Record<string, string>>;
  /** What every command `detect` runs answers; exit 0 with no output unless given. */
  answer?: CommandResult;
  /** The executor's settings, as the host would pass them after validation. */
  config?: Readonly<Record<string, unknown>>;
}

/** A command `detect` ran. */
export interface RanCommand {
  command: string;
  args: readonly string[];
}

/** The context the host hands `detect`, on a machine that exists only in the test, with what detect did kept for checks. */
export interface FakeDetectContext extends DetectContext {
  /** The names looked up on the PATH, in order. */
  readonly lookedUp: readonly string[];
  /** The commands run, in order. */
  readonly ran: readonly RanCommand[];
}

export function createFakeDetectContext(options: FakeDetectContextOptions = {}): FakeDetectContext {
  const { onPath = {}, answer = { code: 0, stdout: '', stderr: '' }, config = {} } = options;
  const lookedUp: string[] = [];
  const ran: RanCommand[] = [];
  return {
    async findExecutable(name) {
      lookedUp.push(name);
      return onPath[name] ?? null;
    },
    async exec(command, args) {
      ran.push({ command, args: [...args] });
      return answer;
    },
    signal: new AbortController().signal,
    config,
    lookedUp,
    ran,
  };
}
