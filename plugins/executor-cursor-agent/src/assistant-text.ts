/**
 * The assistant's words as messages, one per message. Without --stream-partial-output every
 * `assistant` line is one complete message (the text between two tool calls). With it,
 * cursor-agent prints the text as deltas (lines with `timestamp_ms`), and then the whole message
 * once more: before a tool call as a line with `model_call_id`, at the end as a line with
 * neither. The deltas are merged and the repeat is dropped, so a message appears once either way.
 */
export interface AssistantText {
  /** A complete message to show now, if the line makes one. */
  read(text: string, isDelta: boolean): string | undefined;
  /** The merged deltas not yet shown, when something else comes (a tool call, the result, the end). */
  flush(): string | undefined;
}

const blank = (text: string) => text.trim() === '';

export function createAssistantText(partialOutput: boolean): AssistantText {
  let pending = '';
  // Deltas already shown as a message, whose repeat as a complete line may still come.
  let shown: string | undefined;
  return {
    read(text, isDelta) {
      if (!partialOutput) return blank(text) ? undefined : text;
      if (isDelta) {
        if (pending === '') shown = undefined;
        pending += text;
        return undefined;
      }
      // The complete text wins over its deltas: it is what the model said, whatever a delta lost.
      if (pending !== '') {
        pending = '';
        shown = undefined;
        return blank(text) ? undefined : text;
      }
      if (shown !== undefined && shown.trim() === text.trim()) {
        shown = undefined;
        return undefined;
      }
      return blank(text) ? undefined : text;
    },
    flush() {
      const merged = pending;
      pending = '';
      if (blank(merged)) return undefined;
      shown = merged;
      return merged;
    },
  };
}
