import type { CommandOutput } from './command-output.ts';
import { table, type Cell } from './text-table.ts';

export interface Listing<T> {
  header: readonly string[];
  row(item: T): Cell[];
  /** What to say when there is nothing, with what to do about it. */
  empty: string;
  /** The command that shows the next page, from its cursor. */
  next?(cursor: string): string;
}

/** A list answer: as the API gave it with --json, else a table, and on stderr how to see the rest. */
export function printListing<T>(output: CommandOutput, answer: { items: T[]; nextCursor?: string | null }, json: boolean | undefined, listing: Listing<T>): number {
  if (json) {
    output.json(answer);
    return 0;
  }
  output.print(answer.items.length === 0 ? listing.empty : table(listing.header, answer.items.map((item) => listing.row(item))));
  if (answer.nextCursor && listing.next) output.note(`There are more: ${listing.next(answer.nextCursor)}`);
  return 0;
}
