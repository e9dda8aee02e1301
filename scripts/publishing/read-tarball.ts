/**
 * Reads the files of an npm tarball (gzipped ustar, every entry under "package/"), so the checks
 * judge what would be published rather than the folder it was packed from.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { TarballFile } from './tarball-contents.ts';

const BLOCK = 512;

function text(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** A pax extended header's records ("<length> path=<value>\n"); node-tar writes one for long names. */
function paxPath(body: Buffer): string | null {
  for (const record of body.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1]!;
  }
  return null;
}

/** Every regular file in the tarball, its path relative to the package folder. */
export function readTarball(file: string): TarballFile[] {
  const archive = gunzipSync(readFileSync(file));
  const files: TarballFile[] = [];
  let longPath: string | null = null;
  for (let offset = 0; offset + BLOCK <= archive.length; ) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(text(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const prefix = text(header, 345, 155);
    const name = text(header, 0, 100);
    const body = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longPath = paxPath(body);
      continue;
    }
    const path = longPath ?? (prefix ? `${prefix}/${name}` : name);
    longPath = null;
    if (type !== '0' && type !== '\0') continue;
    files.push({ path: path.replace(/^[^/]+\//, ''), content: Buffer.from(body) });
  }
  return files;
}
