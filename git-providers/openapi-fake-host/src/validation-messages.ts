import type { ValidationResult } from 'openapi-backend';

type ValidationError = NonNullable<ValidationResult['errors']>[number];

/** What was validated: a whole request (its parts are named), or an answer's body or headers. */
export type MessageSubject = 'request' | 'body' | 'headers';

/** How many messages one request's problem line carries before it says how many more there were. */
const MAX_MESSAGES = 12;

/**
 * Where an error is, as a reader of the spec names it: "body.head.ref", "query.state",
 * "path.pull_number" for a request; "body.merged_at", "headers.link" for an answer.
 */
const where = (instancePath: string, subject: MessageSubject) => {
  const path = instancePath.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (subject === 'request') {
    if (path[0] === 'requestBody') path[0] = 'body';
    return path.length === 0 ? 'the request' : path.join('.');
  }
  return [subject, ...path].join('.');
};

const listed = (values: unknown) => (Array.isArray(values) ? values.slice(0, 10).map((value) => JSON.stringify(value)).join(', ') + (values.length > 10 ? ', …' : '') : '');

/**
 * One readable line per validator error, naming where and what, never the value sent: a request
 * may carry a token, so only the spec's own words (names, allowed values) are quoted.
 */
export function validationMessages(errors: readonly ValidationError[], subject: MessageSubject): string[] {
  const lines = errors.map((error) => {
    const at = where(error.instancePath, subject);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties':
        if (at === 'query') return `query parameter "${String(params['additionalProperty'])}" is not in the spec`;
        return `${at} has "${String(params['additionalProperty'])}", which the spec does not allow there`;
      case 'required':
        if (at === 'the request' && params['missingProperty'] === 'requestBody') return 'the body is missing; the spec requires one';
        return `${at} lacks the required "${String(params['missingProperty'])}"`;
      case 'enum':
        return `${at} must be one of ${listed(params['allowedValues'])}`;
      case 'parse':
        return `${at} is not valid JSON`;
      default:
        return `${at} ${error.message ?? `fails "${error.keyword}"`}`;
    }
  });
  const unique = [...new Set(lines)];
  return unique.length > MAX_MESSAGES ? [...unique.slice(0, MAX_MESSAGES), `and ${unique.length - MAX_MESSAGES} more`] : unique;
}
