/** The placeholders an argument template may hold. */
export type Placeholder = 'prompt' | 'worktree' | 'mcpConfig' | 'sessionId';

const PLACEHOLDER = /\{(prompt|worktree|mcpConfig|sessionId)\}/g;

/** Whether any argument of the template holds the placeholder. */
export function usesPlaceholder(template: readonly string[], name: Placeholder): boolean {
  return template.some((arg) => arg.includes(`{${name}}`));
}

/**
 * The arguments with each placeholder replaced by its value, in one pass, so a prompt that
 * itself says `{worktree}` stays as written. A placeholder without a value, and any other
 * braces (JSON given as an argument), are left alone. Each template argument stays one argument:
 * no shell ever splits them.
 */
export function fillTemplate(template: readonly string[], values: Partial<Record<Placeholder, string>>): string[] {
  return template.map((arg) => arg.replace(PLACEHOLDER, (whole, name: Placeholder) => values[name] ?? whole));
}
