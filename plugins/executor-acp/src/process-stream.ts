import type { AnyMessage, Stream } from '@agentclientprotocol/sdk/unstable';
import { isRecord, parseJson, type ManagedProcess, type OutputLine } from '@forge-core/sdk';

/**
 * The ACP connection's stream over a process the host started: each JSON object the agent prints
 * on stdout is one message, and each message we send is one line on its stdin. The host keeps
 * owning the process (its group, its kill on stop, its line limits); the SDK only sees messages.
 * Anything else the agent prints (stderr, a stray non-JSON stdout line) goes to `onOtherLine`.
 * Before each read, `ready` may hold the reading back until the consumer has caught up.
 */
export function processStream(
  child: ManagedProcess,
  onOtherLine: (line: OutputLine) => void,
  onEnd: () => void,
  ready: () => Promise<void> | undefined,
): Stream {
  const lines = child.lines()[Symbol.asyncIterator]();
  const readable = new ReadableStream<AnyMessage>({
    async pull(controller) {
      await ready();
      for (;;) {
        const next = await lines.next();
        if (next.done === true) {
          controller.close();
          onEnd();
          return;
        }
        const line = next.value;
        const message = line.stream === 'stdout' ? parseJson(line.text) : undefined;
        if (isRecord(message) && (typeof message['method'] === 'string' || 'id' in message)) {
          controller.enqueue(message as AnyMessage);
          return;
        }
        if (line.text.trim() !== '') onOtherLine(line);
      }
    },
    async cancel() {
      await lines.return?.();
    },
  });
  const writable = new WritableStream<AnyMessage>({
    write(message) {
      if (!child.writeLine(JSON.stringify(message))) throw new Error('the agent has closed its input');
    },
    close() {
      child.closeStdin();
    },
  });
  return { readable, writable };
}
