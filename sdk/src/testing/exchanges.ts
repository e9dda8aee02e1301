/**
 * Recorded HTTP exchanges for a git provider: one JSON file per scenario in a folder,
 *
 *   <name>.json  {
 *     "call":      "createPullRequest" | "getPullRequest"
 *     "input":     the call's argument (a PullRequestInput or a PullRequestRef)
 *     "exchanges": [ { "request":  { "method": "POST", "url": "https://…", "body": { … } },
 *                      "response": { "status": 201, "headers": { … }, "body": { … } } } ]
 *     "result":    the PullRequest the call resolves with, or
 *     "errorCode": the ForgeError code it rejects with, e.g. "FORGE_PROVIDER_NOT_FOUND"
 *   }
 *
 * A request is matched on its method and exact URL, and on its body when the recording has one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, type ForgeErrorCode } from '../errors.ts';
import type { PullRequest } from '../git-provider.ts';
import type { RecordedExchange } from './fake-fetch.ts';

export type ProviderCall = 'createPullRequest' | 'getPullRequest';

export interface ExchangeFixture {
  name: string;
  call: ProviderCall;
  input: Record<string, unknown>;
  exchanges: RecordedExchange[];
  result?: PullRequest;
  errorCode?: ForgeErrorCode;
}

const CALLS: readonly ProviderCall[] = ['createPullRequest', 'getPullRequest'];
const KEYS = ['call', 'input', 'exchanges', 'result', 'errorCode'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function exchangeProblems(exchange: unknown, index: number): string[] {
  const at = `exchanges[${index}]`;
  if (!isRecord(exchange) || !isRecord(exchange['request']) || !isRecord(exchange['response'])) return [`${at} must be {request, response}`];
  const { request, response } = exchange;
  const problems: string[] = [];
  if (typeof request['method'] !== 'string' || typeof request['url'] !== 'string') problems.push(`${at}.request needs a string method and url`);
  if (!Number.isInteger(response['status'])) problems.push(`${at}.response.status must be an HTTP status code`);
  const headers = response['headers'];
  if (headers !== undefined && !(isRecord(headers) && Object.values(headers).every((value) => typeof value === 'string'))) {
    problems.push(`${at}.response.headers must map names to strings`);
  }
  return problems;
}

function fixtureProblems(fixture: Record<string, unknown>): string[] {
  const problems = Object.keys(fixture).filter((key) => !KEYS.includes(key)).map((key) => `unknown field "${key}" (known: ${KEYS.join(', ')})`);
  if (!CALLS.includes(fixture['call'] as ProviderCall)) problems.push(`"call" must be one of ${CALLS.join(', ')}`);
  if (!isRecord(fixture['input'])) problems.push('"input" must be the object the call is given');
  const exchanges = fixture['exchanges'];
  if (!Array.isArray(exchanges) || exchanges.length === 0) problems.push('"exchanges" must list at least one recorded exchange');
  else problems.push(...exchanges.flatMap(exchangeProblems));
  const hasResult = fixture['result'] !== undefined;
  const hasError = fixture['errorCode'] !== undefined;
  if (hasResult === hasError) problems.push('give exactly one of "result" (what the call resolves with) and "errorCode" (the code it rejects with)');
  if (hasResult && !isRecord(fixture['result'])) problems.push('"result" must be a PullRequest object');
  if (hasError && !Object.hasOwn(ERROR_CODES, String(fixture['errorCode']))) problems.push('"errorCode" must be a code from the SDK\'s ERROR_CODES');
  return problems;
}

/** Every fixture in a folder, sorted by name. A malformed file is the author's setup error, so it throws. */
export function loadExchangeFixtures(dir: string): ExchangeFixture[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new TypeError(`exchanges: cannot read the folder ${dir} (${(error as Error).message})`);
  }
  return names.map((fileName) => {
    const file = path.join(dir, fileName);
    let fixture: unknown;
    try {
      fixture = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new TypeError(`exchanges: cannot read ${file} (${(error as Error).message})`);
    }
    const problems = isRecord(fixture) ? fixtureProblems(fixture) : ['it must hold a JSON object'];
    if (problems.length > 0) throw new TypeError(`exchanges: ${file}: ${problems.join('; ')}`);
    return { name: fileName.slice(0, -'.json'.length), ...(fixture as Omit<ExchangeFixture, 'name'>) };
  });
}
