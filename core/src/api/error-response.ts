import Boom from '@hapi/boom';
import { ForgeError, type ForgeErrorCode } from '@forge-core/sdk';
import type { ValidationError } from 'joi';

const STATUS_BY_CODE: Partial<Record<ForgeErrorCode, number>> = {
  FORGE_VALIDATION_FAILED: 400,
  FORGE_UNAUTHORIZED: 401,
  FORGE_HOST_NOT_ALLOWED: 403,
  FORGE_ORIGIN_NOT_ALLOWED: 403,
  FORGE_NOT_FOUND: 404,
  FORGE_ROUTE_NOT_FOUND: 404,
  FORGE_PROFILE_NOT_FOUND: 404,
  FORGE_REQUEST_TIMEOUT: 408,
  FORGE_CONFLICT: 409,
  FORGE_INVALID_TRANSITION: 409,
  FORGE_STALE_CLAIM: 409,
  FORGE_TASK_CLOSED: 409,
  FORGE_ALREADY_MERGED: 409,
  FORGE_MERGE_CONFLICT: 409,
  FORGE_NOTHING_TO_MERGE: 409,
  FORGE_PUSH_REJECTED: 409,
  FORGE_REPOSITORY_MISSING: 409,
  FORGE_PROFILE_READ_ONLY: 409,
  FORGE_PAYLOAD_TOO_LARGE: 413,
  FORGE_UNSUPPORTED_MEDIA_TYPE: 415,
  FORGE_UNPROCESSABLE: 422,
  FORGE_NOT_A_GIT_REPOSITORY: 422,
  FORGE_REPOSITORY_EMPTY: 422,
  FORGE_BRANCH_NOT_FOUND: 422,
  FORGE_EXECUTOR_NOT_FOUND: 422,
  FORGE_EXECUTOR_UNAVAILABLE: 422,
  FORGE_PLUGIN_MANIFEST_INVALID: 422,
  FORGE_PLUGIN_SDK_INCOMPATIBLE: 422,
  FORGE_PLUGIN_INSTALL_FAILED: 422,
  FORGE_PROVIDER_AUTH_FAILED: 502,
  FORGE_PROVIDER_NOT_FOUND: 502,
  FORGE_PROVIDER_RATE_LIMITED: 503,
  FORGE_PROVIDER_CONFLICT: 409,
  FORGE_PROVIDER_REJECTED: 422,
  FORGE_PROVIDER_NOT_CONFIGURED: 422,
  FORGE_SECRETS_UNAVAILABLE: 503,
  FORGE_LOCK_TIMEOUT: 503,
  FORGE_PROVIDER_FAILED: 502,
  FORGE_PUSH_FAILED: 502,
  FORGE_FEATURE_DISABLED: 404,
  FORGE_DEPENDENCY_CYCLE: 409,
  FORGE_TASK_BLOCKED: 409,
  FORGE_WEBHOOK_TARGET_REFUSED: 422,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The HTTP status a ForgeError of this code answers; a code with none is a bug and answers 500. */
export function statusOf(code: ForgeErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** A ForgeError as the one HTTP error shape; anything else is a bug and answers 500. */
export function toBoom(error: ForgeError): Boom.Boom {
  const boom = new Boom.Boom(error.message, { statusCode: statusOf(error.code) });
  (boom as Boom.Boom & { forge?: ErrorBody }).forge = { error: { code: error.code, message: error.message, details: error.details } };
  return boom;
}

/** Joi's complaint about a request, turned into a message that names every field to fix. */
export function validationBoom(source: string, error: ValidationError): Boom.Boom {
  const problems = error.details.map((d) => ({ path: d.path.join('.'), message: d.message }));
  return toBoom(
    new ForgeError('FORGE_VALIDATION_FAILED', `Invalid request ${source}: ${problems.map((p) => p.message).join('; ')}`, {
      source,
      problems,
    }),
  );
}

/** The body every error response carries, whatever raised it. */
export function errorBodyOf(boom: Boom.Boom): ErrorBody {
  const own = (boom as Boom.Boom & { forge?: ErrorBody }).forge;
  if (own) return own;
  const status = boom.output.statusCode;
  const code: ForgeErrorCode =
    status === 404
      ? 'FORGE_ROUTE_NOT_FOUND'
      : status === 413
        ? 'FORGE_PAYLOAD_TOO_LARGE'
        : status === 415
          ? 'FORGE_UNSUPPORTED_MEDIA_TYPE'
          : status === 401
            ? 'FORGE_UNAUTHORIZED'
            : status >= 500
              ? 'FORGE_INTERNAL'
              : 'FORGE_VALIDATION_FAILED';
  const message =
    status >= 500
      ? 'An unexpected error occurred; it has been logged. Please report it.'
      : code === 'FORGE_ROUTE_NOT_FOUND'
        ? 'No route matches this method and path; see spec/openapi.json for the API.'
        : code === 'FORGE_PAYLOAD_TOO_LARGE'
          ? 'The request body is too large; the limit is 1 MiB.'
          : code === 'FORGE_UNSUPPORTED_MEDIA_TYPE'
            ? 'Send the request body as JSON with Content-Type: application/json.'
            : boom.output.payload.message && boom.output.payload.message !== 'Bad Request'
              ? String(boom.output.payload.message)
              : 'The request is malformed (for example, the path is not valid percent-encoding); check the URL and the body.';
  return { error: { code, message, details: { status } } };
}
