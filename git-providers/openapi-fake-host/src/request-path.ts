/** '/api/v3' from '/api/v3/', 'api/v3' or '/api/v3'; '' for none. */
export function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The path below the base path, on a segment boundary ('/api/v3/user' → '/user'), or null when it is not below it. */
export function pathBelow(basePath: string, pathname: string): string | null {
  if (basePath === '') return pathname;
  if (pathname === basePath) return '/';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : null;
}

const escapeForPattern = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The decoded values of a template's parameters in a path that matches it
 * ('/repos/{owner}/{repo}' and '/repos/o/my%20repo' → {owner: 'o', repo: 'my repo'}).
 */
export function pathParameters(template: string, path: string): Record<string, string> {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return escapeForPattern(part);
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(path);
  return Object.fromEntries(names.map((name, index) => [name, decoded(match?.[index + 1] ?? '')]));
}
