import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACK_BRAND, type Pack } from '../pack.ts';
import { describeValue } from './problems.ts';

/** The two functions of a test runner the kit registers its suites with (mocha's by default, or node:test's). */
export interface TestFunctions {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>): unknown;
}

/** What every suite needs from the kit's options. */
export interface SuiteSetup extends TestFunctions {
  /** How long a hook may take before the kit reports it as hung. */
  timeoutMs: number;
}

/** Generous on purpose: it catches a hook that never settles, not a slow one. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface CommonKitOptions {
  describe?: TestFunctions['describe'];
  it?: TestFunctions['it'];
  timeoutMs?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Rejects what is not an options object, and names an unknown key, which is nearly always a typo. */
export function checkOptionKeys(kit: string, options: unknown, known: readonly string[]): asserts options is Record<string, unknown> {
  if (!isObject(options)) throw new TypeError(`${kit}: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${kit}: unknown option "${key}"; the options are ${known.join(', ')}`);
  }
}

/** The runner's describe/it (the mocha globals unless given) and the hang timeout. */
export function suiteSetup(kit: string, options: CommonKitOptions): SuiteSetup {
  const globals = globalThis as Partial<TestFunctions>;
  const describe = options.describe ?? globals.describe;
  const it = options.it ?? globals.it;
  if (typeof describe !== 'function' || typeof it !== 'function') {
    throw new TypeError(`${kit}: describe and it must be functions; run the test file with mocha, or pass { describe, it } from node:test`);
  }
  return { describe, it, timeoutMs: milliseconds(kit, 'timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS) };
}

/** A duration option, or its default when not given. */
export function milliseconds(kit: string, name: string, value: unknown, fallback: number): number {
  const ms = value ?? fallback;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) throw new TypeError(`${kit}: ${name} must be a positive number of milliseconds, received ${describeValue(ms)}`);
  return ms;
}

export function checkPack(kit: string, pack: unknown): Pack {
  if (!isObject(pack) || pack['$$type'] !== PACK_BRAND) throw new TypeError(`${kit}: pack must be a value returned by definePack(), received ${describeValue(pack)}`);
  return pack as unknown as Pack;
}

/** The path a file: URL names; authors pass `new URL('../package.json', import.meta.url)`. */
export function filePath(kit: string, name: string, value: unknown, example: string): string {
  if (!(value instanceof URL) || value.protocol !== 'file:') {
    throw new TypeError(`${kit}: ${name} must be a file: URL such as ${example}, received ${describeValue(value)}`);
  }
  return fileURLToPath(value);
}

/** The parsed package.json; an unreadable one is a setup error, reported before any suite runs. */
export function readPackageJson(kit: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TypeError(`${kit}: cannot read packageJson ${file} (${(error as Error).message})`);
  }
  if (!isObject(parsed) || Array.isArray(parsed)) throw new TypeError(`${kit}: packageJson ${file} must hold a JSON object`);
  return parsed;
}
