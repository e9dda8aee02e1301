/**
 * Amp without credentials does not fail: even in `--execute --stream-json` mode it starts its
 * interactive login on stdout ("No API key found. Starting login flow...", a login URL, then
 * "When prompted, paste your code here:") and waits for a code that never comes (probed with
 * 0.0.1790142911-g7618fb: 30 s and still waiting with stdin at EOF; with a pipe it read the next
 * line as the code and failed with "Login failed: …" on stderr). Either line ends the run at once.
 */
import { shortLine, withoutTerminalEscapes, type DoneEvent, type OutputLine } from '@forge-core/sdk';

const LOGIN_ON_STDOUT = /^\s*(?:No API key found\b|Starting login flow\b)/i;
const LOGIN_ON_STDERR = /^\s*Login failed\b/i;

export const AMP_LOGIN_HELP =
  'Give the executor an Amp API key (its option apiKey; keys are at ampcode.com/settings), pass AMP_API_KEY from the server\'s environment with the setting executors.amp.passEnv: ["AMP_API_KEY"], or run `amp login` as the account the Forge server runs as.';

/** The failed `done` for a line that shows amp asking to log in; undefined for any other line. */
export function loginPromptEnding(line: OutputLine): DoneEvent | undefined {
  const text = withoutTerminalEscapes(line.text);
  const pattern = line.stream === 'stdout' ? LOGIN_ON_STDOUT : LOGIN_ON_STDERR;
  if (!pattern.test(text)) return undefined;
  return {
    type: 'done',
    status: 'failed',
    error: `amp is not logged in: it started its interactive login ("${shortLine(text)}"), which nobody can answer during a run. ${AMP_LOGIN_HELP}`,
    failure: { kind: 'auth' },
  };
}
