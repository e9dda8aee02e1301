/** A stray line is shown whole up to this length: enough to diagnose it, never a flood. */
export const MAX_LOG_TEXT_LENGTH = 2000;
/** The schema's bound on a done event's summary and error. */
export const MAX_DONE_TEXT_LENGTH = 100_000;
/** The schema's bound on a message or tool output. */
export const MAX_EVENT_TEXT_LENGTH = 1_000_000;
/** The schema's bound on ids (session, tool call) and tool names. */
export const MAX_ID_LENGTH = 255;
