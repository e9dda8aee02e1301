/**
 * An operation's answer already serialized as JSON (UTF-8), by SQLite for a long list (decision
 * 0043). REST sends the bytes as they are; MCP, and REST while responses are validated against
 * their schemas (the test servers), read them back into the value `T` they hold and use that.
 */
export class JsonText<T extends object = object> {
  constructor(readonly bytes: Buffer) {}

  parse(): T {
    return JSON.parse(this.bytes.toString('utf8')) as T;
  }
}

/** A page of a list whose items SQLite serialized (the store's fetchJsonPage answers these). */
export interface SerializedPage {
  /** The items' JSON objects, joined with commas (UTF-8). */
  itemsJson: Buffer;
  nextCursor: string | null;
}

/** The page as every list answers it: `{"items":[…],"nextCursor":…}`. */
export function jsonTextOfPage<Item>(page: SerializedPage): JsonText<{ items: Item[]; nextCursor: string | null }> {
  return new JsonText(Buffer.concat([Buffer.from('{"items":['), page.itemsJson, Buffer.from(`],"nextCursor":${JSON.stringify(page.nextCursor)}}`)]));
}

/** An operation's answer as a plain value, for a surface that needs one (MCP's structured content). */
export function plainOutput(output: object | void): object | void {
  return output instanceof JsonText ? output.parse() : output;
}
