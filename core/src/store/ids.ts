import { randomBytes } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one randomBytes() call per id cost ~20 µs, a
// noticeable share of creating a task.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = POOL_SIZE;

function randomSlice(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  // A copy, because the id's timestamp and version bits are written into it.
  const slice = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return slice;
}

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of milliseconds, then random bits. Ids sort by creation time, so
 * cursor pagination is an index range scan. Within one millisecond a counter in the random
 * field keeps ids from this process strictly increasing.
 */
export function newId(): string {
  const bytes = randomSlice();
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) ms = ++lastMs;
  } else {
    lastMs = ms;
    sequence = bytes.readUInt16BE(6) & 0x7ff;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
