import type { DetectContext, RunContext } from './context.ts';
import type { ExecutorEvent } from './events.ts';
import { optionShapeProblems } from './option-descriptors.ts';
import type { InferOptions, OptionShape } from './options.ts';
import { CONTRACT_MAJOR } from './version.ts';

export interface ExecutorCapabilities {
  /** The executor can continue an earlier session (`resume`). */
  resume: boolean;
  /** The executor reports token usage with `usage` events. */
  usageReporting: boolean;
  /** The executor asks for approvals through `requestApproval` (in some permission mode). Since contract 1.1. */
  approvals?: boolean;
  /** The executor gives its agent the run's `mcpServers`. Since contract 1.1. */
  mcpServers?: boolean;
}

/** The flags added after contract 1.0, which an older pack does not declare. */
export const OPTIONAL_EXECUTOR_CAPABILITIES: readonly (keyof ExecutorCapabilities)[] = Object.freeze(['approvals', 'mcpServers'] as const);

/** Every capability flag, kept in step with the interface by the compiler. */
export const EXECUTOR_CAPABILITIES: readonly (keyof ExecutorCapabilities)[] = Object.freeze(
  Object.keys({ resume: 1, usageReporting: 1, approvals: 1, mcpServers: 1 } satisfies Record<keyof ExecutorCapabilities, 1>) as (keyof ExecutorCapabilities)[],
);

export interface DetectResult {
  available: boolean;
  version?: string;
  /** Why the executor cannot run here, in words a person can act on. */
  reason?: string;
}

export interface RunInput<O> {
  attemptId: string;
  prompt: string;
  options: O;
}

export interface ResumeInput<O> extends RunInput<O> {
  /** The session id an earlier run reported in its `session` event. */
  sessionId: string;
}

export interface ExecutorDefinition<S extends OptionShape = OptionShape> {
  /** Unique across every installed pack: lowercase letters, digits and dashes. */
  id: string;
  displayName: string;
  description?: string;
  capabilities: ExecutorCapabilities;
  options?: S;
  /**
   * The executor's settings on this server (where its CLI is, a default model, environment it
   * needs), described like options and given in the server's configuration under
   * `executors.<id>`. The host validates them when the pack loads and hands them to `detect`
   * and every run as `ctx.config`. Since contract 1.1.
   */
  config?: OptionShape;
  /** Whether the executor can run on this machine. Never throws. */
  detect(ctx: DetectContext): Promise<DetectResult>;
  run(input: RunInput<InferOptions<S>>, ctx: RunContext): AsyncIterable<ExecutorEvent>;
  resume?(input: ResumeInput<InferOptions<S>>, ctx: RunContext): AsyncIterable<ExecutorEvent>;
}

export const EXECUTOR_BRAND = '@forge-core/Executor';

export type Executor<S extends OptionShape = OptionShape> = Readonly<ExecutorDefinition<S>> & {
  readonly $$type: typeof EXECUTOR_BRAND;
  readonly contractVersion: typeof CONTRACT_MAJOR;
};

export const EXECUTOR_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

/** Brands and freezes an executor definition after cheap shape checks with a path in the message. */
export function defineExecutor<const S extends OptionShape>(definition: ExecutorDefinition<S>): Executor<S> {
  if (!EXECUTOR_ID_PATTERN.test(definition.id)) {
    throw new TypeError(`defineExecutor: id must match ${EXECUTOR_ID_PATTERN}, received ${JSON.stringify(definition.id)}`);
  }
  for (const hook of ['detect', 'run'] as const) {
    if (typeof definition[hook] !== 'function') {
      throw new TypeError(`defineExecutor(${definition.id}): ${hook} must be a function, received ${typeof definition[hook]}`);
    }
  }
  if (definition.capabilities.resume && typeof definition.resume !== 'function') {
    throw new TypeError(`defineExecutor(${definition.id}): capabilities.resume is true but resume is not a function`);
  }
  const problems = [...optionShapeProblems(definition.options), ...optionShapeProblems(definition.config, 'config')];
  if (problems.length > 0) throw new TypeError(`defineExecutor(${definition.id}): ${problems.join('; ')}`);
  return Object.freeze({ ...definition, $$type: EXECUTOR_BRAND, contractVersion: CONTRACT_MAJOR });
}
