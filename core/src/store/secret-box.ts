import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ForgeError } from '@forge-core/sdk';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Encrypts values the database keeps but must not hold in clear (AES-256-GCM, a fresh IV per
 * value). The key lives in its own file, never in the database or the environment (which every
 * git and agent process would inherit); it is made, readable by this user only, the first time
 * a value is sealed. Each value is bound to a context (the row it belongs to), so a sealed value
 * copied onto another row does not open there.
 */
export class SecretBox {
  private key: Buffer | null = null;

  constructor(readonly keyFile: string) {}

  /** `v1:<iv>:<tag>:<ciphertext>`, each part base64. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.loadKey(), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string, context: string): string {
    const [format, iv, tag, body, ...rest] = sealed.split(':');
    const unreadable = (why: string) =>
      new ForgeError('FORGE_SECRETS_UNAVAILABLE', `Stored secrets cannot be opened with the key in ${this.keyFile}: ${why}.`, {
        keyFile: this.keyFile,
      });
    if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
      throw unreadable('they are not in a format this server writes');
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.loadKey(), Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch (error) {
      if (error instanceof ForgeError) throw error;
      throw unreadable('the key is not the one they were sealed with, or they were altered');
    }
  }

  private loadKey(): Buffer {
    this.key ??= readKey(this.keyFile) ?? createKey(this.keyFile);
    return this.key;
  }
}

function readKey(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ForgeError('FORGE_SECRETS_UNAVAILABLE', `Cannot read the secret key ${file}: ${(error as Error).message}.`, { keyFile: file });
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new ForgeError(
      'FORGE_SECRETS_UNAVAILABLE',
      `The secret key ${file} must hold ${KEY_BYTES} bytes in base64 (as "openssl rand -base64 ${KEY_BYTES}" prints); it holds ${key.length}.`,
      { keyFile: file },
    );
  }
  return key;
}

/**
 * Written whole under a temporary name, then linked into place: a second process making its own
 * key at the same moment finds the first one's there (EEXIST) and uses it, and no reader ever
 * sees a half-written key.
 */
function createKey(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readKey(file)!;
}
