/**
 * TOML values for codex's `-c key=value` overrides, which codex parses as TOML. Strings are
 * basic strings with every character TOML forbids raw (quote, backslash, control characters,
 * DEL) escaped, so any command, argument or environment value passes through unchanged.
 */

export type TomlValue = string | readonly string[] | Readonly<Record<string, string>>;

function escapedChar(char: string): string {
  switch (char) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
    default:
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
  }
}

export function tomlString(text: string): string {
  return `"${text.replace(/["\\\u0000-\u001f\u007f]/g, escapedChar)}"`;
}

/** A string, a list of strings, or an inline table of strings (keys quoted, so any name is a valid key). */
export function tomlValue(value: TomlValue): string {
  if (typeof value === 'string') return tomlString(value);
  if (Array.isArray(value)) return `[${(value as readonly string[]).map(tomlString).join(', ')}]`;
  const entries = Object.entries(value as Readonly<Record<string, string>>).map(([key, item]) => `${tomlString(key)} = ${tomlString(item)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}
