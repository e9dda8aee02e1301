import { commandLine, shortLine, type CommandLine, type DetectContext, type DetectResult } from '@forge-core/sdk';
import { claudeCodeSettings } from './claude-code-options.ts';

/** Long enough for `npx -y @anthropic-ai/claude-code@…` to fetch the package the first time. */
const VERSION_TIMEOUT_MS = 60_000;
const INSTALL = 'Install Claude Code with `npm install -g @anthropic-ai/claude-code` and log in by running `claude` once (or give the executor an API key)';

/**
 * Whether Claude Code's CLI is there and answers `--version`. It cannot tell whether the CLI is
 * logged in without calling the API: a logged-out run fails with `failure: {kind: "auth"}`.
 */
export async function detectClaude(ctx: DetectContext): Promise<DetectResult> {
  const { command: setting } = claudeCodeSettings(ctx.config);
  let command: CommandLine | undefined;
  try {
    command = commandLine(setting);
  } catch (error) {
    return { available: false, reason: `The setting executors.claude-code.command cannot be read: ${(error as Error).message}.` };
  }
  if (command === undefined) return { available: false, reason: 'The setting executors.claude-code.command is blank; set it to `claude` or to a command line that starts Claude Code.' };
  try {
    const executable = command.command.includes('/') ? command.command : await ctx.findExecutable(command.command);
    if (executable === null) {
      return { available: false, reason: `\`${command.command}\` is not on the PATH of the Forge server. ${INSTALL}, or point executors.claude-code.command at it.` };
    }
    const { code, stdout, stderr } = await ctx.exec(executable, [...command.args, '--version'], { timeoutMs: VERSION_TIMEOUT_MS });
    if (code !== 0) {
      const how = code === null ? 'did not finish or could not start' : `exited with code ${code}`;
      const said = shortLine(stderr || stdout);
      return { available: false, reason: `\`${setting} --version\` ${how}${said === '' ? '' : `: ${said}`}. ${INSTALL}.` };
    }
    const version = /\d+\.\d+\.\d+[\w.+-]*/.exec(stdout)?.[0];
    return { available: true, ...(version === undefined ? {} : { version }) };
  } catch (error) {
    return { available: false, reason: `Could not look for \`${command.command}\`: ${(error as Error).message}` };
  }
}
