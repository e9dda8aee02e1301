import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the CLI cannot run: printed with a pointer to the help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';

  constructor(
    message: string,
    /** The command whose help explains it ("forgecore serve"). */
    readonly command: string,
  ) {
    super(message);
  }
}

/** node:util parseArgs, strict: an unknown flag or a missing value is a UsageError, never ignored. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Node's advice on passing a positional that starts with "-" would bury the one fact that matters here.
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((error as Error).message.split('. To specify a positional')[0]!, command);
    throw error;
  }
}
