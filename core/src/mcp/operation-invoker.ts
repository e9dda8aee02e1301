import { plainOutput } from '../api/json-text.ts';
import { wellFormedInput } from '../api/well-formed-input.ts';
import type { CallOperation, OperationServices, ProgressUpdate } from '../api/operations/operation.ts';

export type CallOp = CallOperation<unknown, object | void>;

export interface InvokeOptions {
  signal?: AbortSignal | undefined;
  progress?: ((update: ProgressUpdate) => void) | undefined;
}

/**
 * How the MCP server runs an operation of the catalogue with input its joi schemas accepted:
 * in this process (the server's own services), or through the REST API of a server running
 * elsewhere (remote-invoker.ts). Either way it answers the operation's output or throws a
 * ForgeError, so tools and resources are the same over both.
 */
export type OperationInvoker = (operation: CallOp, input: Record<string, unknown>, options?: InvokeOptions) => Promise<object | void>;

export function localInvoker(services: OperationServices): OperationInvoker {
  return async (operation, input, options = {}) => {
    if (operation.feature) services.features.require(operation.feature);
    return plainOutput(await operation.handler(wellFormedInput(input), { services, signal: options.signal, progress: options.progress }));
  };
}
