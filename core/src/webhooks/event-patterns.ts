import { FORGE_EVENT_TYPES, type ForgeEventType } from '../events/event-log.ts';

/** The kinds of thing whose lifecycle webhooks carry (issue 13): every event type of these families. */
export const WEBHOOK_EVENT_FAMILIES = ['task', 'attempt', 'approval', 'pull_request'] as const;

const familyOf = (type: string) => type.slice(0, type.indexOf('.'));

/** The event types a subscription can ask for, derived from the log's own list so the two cannot drift. */
export const WEBHOOK_EVENT_TYPES: readonly ForgeEventType[] = FORGE_EVENT_TYPES.filter((type) =>
  (WEBHOOK_EVENT_FAMILIES as readonly string[]).includes(familyOf(type)),
);

/** What a subscription's `eventTypes` may hold: "*", "<family>.*", or one event type. */
export const WEBHOOK_EVENT_PATTERNS: readonly string[] = ['*', ...WEBHOOK_EVENT_FAMILIES.map((family) => `${family}.*`), ...WEBHOOK_EVENT_TYPES];

/** Whether an event of `type` is one a subscription with these patterns is sent. */
export function matchesEventTypes(patterns: readonly string[], type: string): boolean {
  if (!WEBHOOK_EVENT_TYPES.includes(type as ForgeEventType)) return false;
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && pattern.slice(0, -2) === familyOf(type)));
}
