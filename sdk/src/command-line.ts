/** A command setting split into the program and the arguments that come before the executor's own. */
export interface CommandLine {
  command: string;
  args: string[];
}

/**
 * Splits a command setting (`codex`, `npx -y @openai/codex@0.171.0`, `"/opt/my tools/codex"`)
 * into words as a shell would for these simple cases: whitespace separates words, single or
 * double quotes keep spaces inside one, and a backslash in double quotes or outside quotes takes
 * the next character as is. Nothing is expanded: no variables, no globs. A SyntaxError for an
 * unclosed quote.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (char === '\\' && index + 1 < text.length) {
      index += 1;
      word += text[index];
      inWord = true;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) throw new SyntaxError(`the command line ${JSON.stringify(text)} has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** The command setting as a program and its first arguments; undefined for a blank one, a SyntaxError for an unclosed quote. */
export function commandLine(text: string): CommandLine | undefined {
  const [command, ...args] = splitCommandLine(text);
  return command === undefined ? undefined : { command, args };
}

/**
 * An executor's `command` setting read for a run: the program and its first arguments, or why it
 * cannot be used, in words that name the setting (`agent` is what the command would start).
 */
export function commandSetting(executorId: string, setting: string, agent: string): CommandLine | { problem: string } {
  let command: CommandLine | undefined;
  try {
    command = commandLine(setting);
  } catch (error) {
    return { problem: `The setting executors.${executorId}.command cannot be read: ${(error as Error).message}.` };
  }
  return command ?? { problem: `The setting executors.${executorId}.command is blank, so there is no ${agent} to run.` };
}
