export type Cell = string | number;

/** Prints a titled, column-aligned table; numbers are right-aligned so digits line up. */
export function printTable(title: string, headers: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[], numeric: readonly boolean[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`\n== ${title} ==`);
  console.log(line(headers, headers.map(() => false)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const [r, row] of text.entries()) console.log(line(row, rows[r]!.map((cell) => typeof cell === 'number')));
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
}
