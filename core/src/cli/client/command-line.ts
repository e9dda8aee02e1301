/*
 * Command lines the CLI suggests (the next page, following an attempt, the line corrected): as
 * a shell reads them back, and never with a token in them, since stderr may be kept in a log.
 */

/** A word as a POSIX shell reads it back: as it is when it holds nothing the shell treats specially, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `forgecore` with the words given (empty ones left out), then the --server that chose the
 * server when one did, so the line reaches the same server. The token stays out: FORGE_API_TOKEN
 * carries it to the next command, and --token is for the user to add.
 */
export function forgecoreLine(server: string | undefined, parts: readonly (string | false | null | undefined)[]): string {
  return ['forgecore', ...parts.filter((part): part is string => typeof part === 'string' && part !== ''), ...(server ? ['--server', shellWord(server)] : [])].join(' ');
}

/**
 * For flags typed before the command (`forgecore --server <url> task list`, as kubectl takes
 * them): the same line with those flags after the command words, or null when no command word
 * follows them. A token given there is shown as <token>, a URL as its scheme, host and path.
 */
export function flagsMovedAfterCommand(argv: readonly string[], isCommand: (word: string) => boolean): string | null {
  const at = argv.findIndex(isCommand);
  if (at <= 0) return null;
  const words = [...argv.slice(at), ...argv.slice(0, at)].map((word, i, all) => {
    if (all[i - 1] === '--token') return '<token>';
    if (word.startsWith('--token=')) return '--token=<token>';
    return shellWord(withoutSecrets(word));
  });
  return ['forgecore', ...words].join(' ');
}

/** A word that reads as a URL with credentials, a query or a fragment, without them. */
function withoutSecrets(word: string): string {
  const [flag, value] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=') + 1), word.slice(word.indexOf('=') + 1)] : ['', word];
  if (!URL.canParse(value)) return word;
  const url = new URL(value);
  if (!url.username && !url.password && !url.search && !url.hash) return word;
  return `${flag}${url.protocol}//${url.host}${url.pathname}`;
}
