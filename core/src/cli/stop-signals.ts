/** The signals that ask `forgecore serve` for a graceful stop. SIGHUP too: a closed terminal sends it. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const LAUNCHER_CHECK_MS = 1_000;

/**
 * Calls `stop` with the reason on every stop signal, and, when npm started this process, once
 * npm is gone. Every signal keeps its listener: npm forwards the SIGINT of a Ctrl-C that the
 * terminal also delivered here, and that second SIGINT must not kill the process mid-stop.
 *
 * Under `npm start` (its script `exec`s node, so npm is the parent), a SIGKILL or SIGHUP to npm
 * would leave the server running with nobody to stop it through npm; a parent that changes means
 * npm is gone. The same holds for any process an npm script ran that starts a server (a test
 * run). A server started any other way may outlive its parent (`nohup forgecore serve &`).
 */
export function onStopRequest(stop: (reason: string) => void): void {
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  if (process.env.npm_lifecycle_event === undefined) return;
  const launcher = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(watch);
    stop(`the process that started this server under npm (pid ${launcher}) exited`);
  }, LAUNCHER_CHECK_MS);
  watch.unref();
}
