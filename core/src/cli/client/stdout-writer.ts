/*
 * The one way the CLI's results reach stdout. console.log drops a failed write (a full disk,
 * /dev/full), so a script would take an empty result for a success: here a failed write ends the
 * command with exit 1 and says why. A reader that stops early (forgecore logs … | head) closes
 * the pipe: that ends the command quietly, exit 0.
 */

/** Makes a failed write to stdout end the process: EPIPE quietly with 0, any other with one stderr line and 1. */
export function watchStdout(): void {
  process.stdout.on('error', exitOnWriteError);
}

/** A line on stdout; a failure to write it ends the process once watchStdout is on. */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Exits with `code` once all of stdout is written, or as a failed write says. */
export function exitOnceWritten(code: number): void {
  process.stdout.write('', (error) => (error ? exitOnWriteError(error) : process.exit(code)));
}

function exitOnWriteError(error: NodeJS.ErrnoException): never {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`forgecore: could not write the output: ${error.code ?? error.message}\n`);
  process.exit(1);
}
