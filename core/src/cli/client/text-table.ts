/** A cell as printed: its plain text (which sets the column's width) and how to colour it once padded. */
export type Cell = string | { text: string; paint: (text: string) => string };

const textOf = (cell: Cell) => (typeof cell === 'string' ? cell : cell.text);

/**
 * Rows under an upper-case header, each column as wide as its widest cell, two spaces between;
 * the last column is not padded, since it may be long. Colour goes on after padding, so escape
 * codes never count towards a width.
 */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const all: readonly (readonly Cell[])[] = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => textOf(row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => {
          const padded = column === row.length - 1 ? textOf(cell) : textOf(cell).padEnd(widths[column]!);
          return typeof cell === 'string' ? padded : cell.paint(padded);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "Label:  value" lines, the values aligned; fields whose value is null or empty are left out. */
export function fieldList(fields: readonly (readonly [string, string | null | undefined])[]): string {
  const shown = fields.filter((field): field is readonly [string, string] => field[1] !== null && field[1] !== undefined && field[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value.replaceAll('\n', `\n${' '.repeat(width + 2)}`)}`).join('\n');
}
