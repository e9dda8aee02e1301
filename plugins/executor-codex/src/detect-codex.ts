import { splitCommandLine, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { codexConfig } from './codex-options.ts';

/** `npx -y @openai/codex@…` may download the package first. */
const VERSION_TIMEOUT_MS = 60_000;
const INSTALL_HINT = 'Install the Codex CLI (`npm install -g @openai/codex`), or set executors.codex.command in the server configuration to how it is started.';

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0] ?? '';
}

/** Whether codex can start here: its command found, and `--version` answering. Never throws. */
export async function detectCodex(ctx: DetectContext): Promise<DetectResult> {
  const { command } = codexConfig(ctx.config);
  let words: string[];
  try {
    words = splitCommandLine(command);
  } catch (error) {
    return { available: false, reason: `executors.codex.command cannot be read: ${(error as Error).message}.` };
  }
  const [program, ...prefix] = words;
  if (program === undefined) return { available: false, reason: `executors.codex.command is empty. ${INSTALL_HINT}` };
  const found = program.includes('/') ? program : await ctx.findExecutable(program);
  if (found === null) return { available: false, reason: `\`${program}\` was not found on the PATH of the Forge server. ${INSTALL_HINT}` };
  const result = await ctx.exec(found, [...prefix, '--version'], { timeoutMs: VERSION_TIMEOUT_MS });
  if (result.code !== 0) {
    const how = result.code === null ? 'did not finish' : `exited with code ${result.code}`;
    const said = firstLine(result.stderr) || firstLine(result.stdout);
    return { available: false, reason: `\`${[...words, '--version'].join(' ')}\` ${how}${said === '' ? '' : `: ${said}`}. ${INSTALL_HINT}` };
  }
  const version = /codex-cli\s+(\S+)/.exec(result.stdout)?.[1] ?? firstLine(result.stdout);
  return { available: true, ...(version === '' ? {} : { version }) };
}
