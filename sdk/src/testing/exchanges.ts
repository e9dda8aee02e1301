/**
 * Recorded HTTP exchanges for a git provider: one JSON file per scenario in a folder,
 *
 *   <name>.json  {
 *     "call":      "createPullRequest" | "getPullRequest" | "findPullRequest" | "getChecks" | "listReviewComments"
 *     "input":     the call's argument (a PullRequestInput, PullRequestRef or PullRequestQuery)
 *     "apiBaseUrl": the host's API root the call is given (ctx.apiBaseUrl); default: the provider's
 *                  defaultApiUrl for the input's remote
 *     "exchanges": [ { "request":  { "method": "POST", "url": "https://…", "body": { … } },
 *                      "response": { "status": 201, "headers": { … }, "body": { … } } } ]
 *     "result":    what the call resolves with (a PullRequest, null, a ChecksReport, a list), or
 *     "errorCode": the ForgeError code it rejects with, e.g. "FORGE_PROVIDER_NOT_FOUND"
 *   }
 *
 * A request is matched on its method and exact URL, and on its body when the recording has one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, type ForgeErrorCode } from '../errors.ts';
import type { ChecksReport, PullRequest, ReviewComment } from '../git-provider.ts';
import type { RecordedExchange } from './fake-fetch.ts';

export type ProviderCall = 'createPullRequest' | 'getPullRequest' | 'findPullRequest' | 'getChecks' | 'listReviewComments';

export interface ExchangeFixture {
  name: string;
  call: ProviderCall;
  input: Record<string, unknown>;
  apiBaseUrl?: string;
  exchanges: RecordedExchange[];
  result?: PullRequest | null | ChecksReport | ReviewComment[];
  errorCode?: ForgeErrorCode;
}

export const PROVIDER_CALLS: readonly ProviderCall[] = ['createPullRequest', 'getPullRequest', 'findPullRequest', 'getChecks', 'listReviewComments'];
const CALLS = PROVIDER_CALLS;
const KEYS = ['call', 'input', 'apiBaseUrl', 'exchanges', 'result', 'errorCode'];

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
  const result = fixture['result'];
  const call = fixture['call'];
  if (hasResult && call === 'listReviewComments' && !Array.isArray(result)) problems.push('"result" of listReviewComments must be a list of comments');
  if (hasResult && call === 'findPullRequest' && result !== null && !isRecord(result)) problems.push('"result" of findPullRequest must be a PullRequest or null');
  if (hasResult && ['createPullRequest', 'getPullRequest', 'getChecks'].includes(String(call)) && !isRecord(result)) problems.push(`"result" of ${String(call)} must be an object`);
  if (fixture['apiBaseUrl'] !== undefined && typeof fixture['apiBaseUrl'] !== 'string') problems.push('"apiBaseUrl" must be a URL string');
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
