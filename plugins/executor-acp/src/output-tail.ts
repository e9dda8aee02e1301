/**
 * The last `limit` bytes of a command's output, kept line by line: old lines are dropped from
 * the front as new ones come, so a chatty command costs the same per line however long it runs.
 */
export class OutputTail {
  readonly #limit: number;
  readonly #lines: string[] = [];
  #first = 0;
  #bytes = 0;
  truncated = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(line: string): void {
    const text = `${line}\n`;
    this.#lines.push(text);
    this.#bytes += Buffer.byteLength(text, 'utf8');
    while (this.#bytes > this.#limit && this.#first < this.#lines.length - 1) {
      this.#bytes -= Buffer.byteLength(this.#lines[this.#first] as string, 'utf8');
      this.#first += 1;
      this.truncated = true;
    }
    // Compact now and then, so the dropped lines are let go.
    if (this.#first > 1024 && this.#first * 2 > this.#lines.length) {
      this.#lines.splice(0, this.#first);
      this.#first = 0;
    }
  }

  text(): string {
    const text = this.#lines.slice(this.#first).join('');
    if (this.#bytes <= this.#limit) return text;
    this.truncated = true;
    return lastBytes(text, this.#limit);
  }
}

/** The end of `text` within `limit` bytes, cut at a character boundary. */
function lastBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  let start = bytes.length - limit;
  // A UTF-8 continuation byte (10xxxxxx) is inside a character: start after it.
  while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start += 1;
  return bytes.subarray(start).toString('utf8');
}
