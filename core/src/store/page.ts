import { ForgeError } from '@forge-core/sdk';
import type { Knex } from 'knex';
import { ID_PATTERN } from './ids.ts';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}

/**
 * Cursor pagination over time-ordered ids: the cursor is the last id of the page, so a page is
 * an index range scan however deep the client goes, and rows added meanwhile are not skipped.
 */
export async function fetchPage<Row, T>(
  query: Knex.QueryBuilder,
  request: PageRequest,
  toRecord: (row: Row) => T,
  idColumn = 'id',
): Promise<Page<T>> {
  if (request.cursor) query.where(idColumn, '>', decodeCursor(request.cursor));
  const rows: Row[] = await query.orderBy(idColumn, 'asc').limit(request.limit + 1);
  const hasMore = rows.length > request.limit;
  const items = (hasMore ? rows.slice(0, request.limit) : rows).map(toRecord);
  const last = items.length > 0 ? (rows[items.length - 1] as Record<string, unknown>)[idColumn] : undefined;
  return { items, nextCursor: hasMore && typeof last === 'string' ? encodeCursor(last) : null };
}

/** A page whose items SQLite has already serialized. */
export interface JsonPage {
  /** The items' JSON objects in id order, joined with commas, UTF-8: what goes between the brackets of the items array. */
  itemsJson: Buffer;
  /** As Page's: pass back as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * fetchPage's page, with each row serialized by SQLite (`itemJson`, an SQL expression over the
 * query's table) and the page joined there too. A long list then never becomes JavaScript
 * objects, which cost most of its time: better-sqlite3 building the row objects, then the
 * garbage they leave. The page comes back as a BLOB, a Buffer outside V8's heap: as one large
 * string it still cost a third more (spec/decisions/0043). The ORDER BY inside group_concat is
 * what guarantees the order (SQLite ≥ 3.44); without it the order is undefined.
 */
export async function fetchJsonPage(db: Knex, query: Knex.QueryBuilder, request: PageRequest, itemJson: string, idColumn = 'id'): Promise<JsonPage> {
  if (request.cursor) query.where(idColumn, '>', decodeCursor(request.cursor));
  const rows = query.clone().select({ id: idColumn }, db.raw(`${itemJson} as json`)).orderBy(idColumn, 'asc').limit(request.limit);
  const page: { items: Buffer | null; count: number; last_id: string | null } = await db
    .from(rows.as('page'))
    .first(db.raw("cast(group_concat(json, ',' order by id) as blob) as items"), db.raw('count(*) as count'), db.raw('max(id) as last_id'));
  const full = page.count === request.limit && page.last_id !== null;
  const more = full && (await query.clone().where(idColumn, '>', page.last_id).first(db.raw('1 as more'))) !== undefined;
  return { itemsJson: page.items ?? Buffer.alloc(0), nextCursor: more ? encodeCursor(page.last_id!) : null };
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/**
 * The id a cursor stands for. One this server did not give out (it does not decode to an id) is
 * refused: it would page from an arbitrary point, or past the end, without a word.
 */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!ID_PATTERN.test(id)) {
    const message = '"cursor" is not one this server gave out; pass the nextCursor of the previous page, or none to start over';
    throw new ForgeError('FORGE_VALIDATION_FAILED', `Invalid request query: ${message}`, { source: 'query', problems: [{ path: 'cursor', message }] });
  }
  return id;
}

export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
