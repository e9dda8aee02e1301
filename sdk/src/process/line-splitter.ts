/** Longer lines are cut: one runaway line must not hold megabytes in memory or in the log. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into text lines. A partial line waits for its end; a line longer than
 * the cap is emitted cut, with the rest of it dropped.
 */
export class LineSplitter {
  private pending = '';
  private dropping = false;

  push(chunk: string, emit: (line: string) => void): void {
    const buffered = this.pending + chunk;
    this.pending = '';
    let start = 0;
    for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n', start)) {
      const line = buffered.slice(start, Math.min(newline, start + MAX_LINE_BYTES));
      if (!this.dropping) emit(stripCarriageReturn(line));
      this.dropping = false;
      start = newline + 1;
    }
    const text = buffered.slice(start);
    if (this.dropping) return;
    if (text.length > MAX_LINE_BYTES) {
      emit(text.slice(0, MAX_LINE_BYTES));
      this.dropping = true;
    } else {
      this.pending = text;
    }
  }

  end(emit: (line: string) => void): void {
    if (this.pending !== '' && !this.dropping) emit(stripCarriageReturn(this.pending));
    this.pending = '';
    this.dropping = false;
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
