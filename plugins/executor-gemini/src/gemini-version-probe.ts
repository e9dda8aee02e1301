import { shortLine, type CommandLine, type ManagedProcess, type ProcessExit, type RunContext } from '@forge-core/sdk';
import { GEMINI_VERSION_PATTERN } from './detect-gemini.ts';

/** What a run learned by asking gemini its version: the version, why it could not tell, or that the run was stopped meanwhile. */
export type VersionProbe = { version: string } | { unknown: string } | { stopped: true };

/** `gemini --version` takes about 3 s; `npx -y …` may download the package first. */
const VERSION_PROBE_TIMEOUT_MS = 60_000;

async function outputOf(child: ManagedProcess): Promise<{ text: string; exit: ProcessExit }> {
  const lines: string[] = [];
  for await (const line of child.lines()) lines.push(line.text);
  return { text: lines.join('\n'), exit: await child.exited };
}

/**
 * Runs `<command> --version` through the host, for a run whose detect result is not known (the
 * server has not run detect for this command setting yet). A process that outlives the bound is
 * left to the host, which stops every process of the run when it ends.
 */
export async function probeGeminiVersion(ctx: RunContext, command: CommandLine, timeoutMs = VERSION_PROBE_TIMEOUT_MS): Promise<VersionProbe> {
  if (ctx.signal.aborted) return { stopped: true };
  const child = ctx.spawn(command.command, [...command.args, '--version']);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const cutShort = new Promise<VersionProbe>((resolve) => {
    timer = setTimeout(() => resolve({ unknown: `\`${command.command} --version\` did not answer within ${timeoutMs} ms` }), timeoutMs);
    onAbort = () => resolve({ stopped: true });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const answered = outputOf(child).then(({ text, exit }): VersionProbe => {
    const version = GEMINI_VERSION_PATTERN.exec(text)?.[1];
    if (exit.code === 0 && version !== undefined) return { version };
    const how = exit.code === 0 ? 'printed no version' : exit.signal !== null ? `was stopped by ${exit.signal}` : `exited with code ${exit.code}`;
    const said = shortLine(text);
    return { unknown: `\`${command.command} --version\` ${how}${said === '' ? '' : `: ${said}`}` };
  });
  try {
    return await Promise.race([answered, cutShort]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) ctx.signal.removeEventListener('abort', onAbort);
  }
}
