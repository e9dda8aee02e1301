/**
 * The environment variable opencode reads as JSON and merges over the `permission` block of its
 * configuration, after every configuration file, so it wins over a project's opencode.json.
 */
export const OPENCODE_PERMISSION_ENV = 'OPENCODE_PERMISSION';

/** The actions opencode asks about that change the worktree or reach the network. */
const ASKED_ACTIONS = ['edit', 'bash', 'webfetch'] as const;

/** The OPENCODE_PERMISSION value for the permission option: `{"edit":"ask","bash":"ask","webfetch":"ask"}`, or the same with "allow". */
export function opencodePermission(choice: 'ask' | 'allow'): string {
  return JSON.stringify(Object.fromEntries(ASKED_ACTIONS.map((action) => [action, choice])));
}
