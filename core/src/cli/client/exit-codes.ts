/**
 * The exit codes scripts can rely on (listed in `forgecore help` and the README). Usage errors
 * (2) are raised as UsageError by the option parser; the others as a CommandFailure.
 */
export const EXIT = {
  ok: 0,
  /** The server refused or failed the request, or a followed attempt did not succeed. */
  refused: 1,
  usage: 2,
  /** No Forge Core server answers at the URL. */
  unreachable: 3,
  /** The server refused the token (401, 403). */
  unauthorized: 4,
  /** Ctrl-C while following a log: the attempt goes on (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Why a client command stopped: one line for stderr, and the exit code that says which kind. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';

  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
