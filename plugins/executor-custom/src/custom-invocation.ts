import { fillTemplate, usesPlaceholder } from './argument-template.ts';
import type { CustomOptions } from './custom-options.ts';

export interface InvocationRequest {
  options: Pick<CustomOptions, 'command' | 'args' | 'promptVia' | 'resumeArgs'>;
  prompt: string;
  worktree: string;
  /** The MCP servers file, when one was written. */
  mcpConfig: string | undefined;
  /** On a follow-up, the session to continue. */
  sessionId?: string | undefined;
}

/** How to start the agent for one run. */
export interface Invocation {
  command: string;
  args: string[];
  /** Written to stdin before it is closed; undefined closes stdin at once. */
  stdin: string | undefined;
  /** Whether the arguments carry the session on (resumeArgs), rather than starting afresh. */
  continuesSession: boolean;
}

type TemplateOptions = Pick<CustomOptions, 'args' | 'resumeArgs'>;

/** The argument template a run uses: resumeArgs to continue a session when the profile has them, args otherwise. */
export function argumentTemplate(options: TemplateOptions, sessionId: string | undefined): readonly string[] {
  return sessionId !== undefined && options.resumeArgs !== undefined ? options.resumeArgs : options.args;
}

/**
 * The command line for a run, or for a follow-up when a session is given and the profile says
 * how to continue one. The prompt goes where the arguments say `{prompt}`; without that, on
 * stdin or as the last argument, as promptVia says.
 */
export function customInvocation(request: InvocationRequest): Invocation {
  const { options, prompt, sessionId } = request;
  const template = argumentTemplate(options, sessionId);
  const continuesSession = sessionId !== undefined && options.resumeArgs !== undefined;
  const args = fillTemplate(template, {
    prompt,
    worktree: request.worktree,
    ...(request.mcpConfig === undefined ? {} : { mcpConfig: request.mcpConfig }),
    ...(sessionId === undefined ? {} : { sessionId }),
  });
  const promptInArgs = usesPlaceholder(template, 'prompt');
  if (!promptInArgs && options.promptVia === 'argument') args.push(prompt);
  return { command: options.command, args, stdin: promptInArgs || options.promptVia === 'argument' ? undefined : prompt, continuesSession };
}
