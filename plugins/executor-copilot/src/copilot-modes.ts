/** Copilot names its session modes by ACP's URIs for them, not by a word. */
const ACP_SESSION_MODES = 'https://agentclientprotocol.com/protocol/session-modes#';

/** The modes copilot 1.0.x offers, by the word a person writes. */
export const COPILOT_MODE_NAMES = ['agent', 'plan', 'autopilot'] as const;

/** The mode id copilot expects: `plan` becomes its URI, anything else (a full URI, a mode of a later version) goes as written. */
export function copilotModeId(mode: string): string {
  return (COPILOT_MODE_NAMES as readonly string[]).includes(mode) ? `${ACP_SESSION_MODES}${mode}` : mode;
}
