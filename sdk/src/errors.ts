/**
 * Stable error codes. The code is the contract; the message wording may change. Every code a
 * pack or the host raises is listed here, so clients can switch on it.
 */
export const ERROR_CODES = {
  FORGE_VALIDATION_FAILED: 'The request or value did not match its schema.',
  FORGE_NOT_FOUND: 'The addressed resource does not exist.',
  FORGE_CONFLICT: 'The resource is in a state that does not allow the operation.',
  FORGE_INVALID_TRANSITION: 'The task or attempt cannot move from its current state to the one asked; the details name what is allowed.',
  FORGE_STALE_CLAIM: 'The write came from a holder of an attempt claim that has since been taken over (fencing token).',
  FORGE_TASK_CLOSED: 'The task is done or cancelled; send "reopen": true to work on it again.',
  FORGE_ALREADY_MERGED: 'The attempt was merged already; its work is final.',
  FORGE_UNPROCESSABLE: 'The request is well formed but cannot be carried out as asked.',
  FORGE_UNAUTHORIZED: 'A valid API token is required.',
  FORGE_HOST_NOT_ALLOWED: 'The Host header names a host this server does not answer to (DNS-rebinding guard).',
  FORGE_ORIGIN_NOT_ALLOWED: 'The request comes from a browser origin that is not allowed.',
  FORGE_REQUEST_TIMEOUT: 'The request headers and body were not received in time.',
  FORGE_PAYLOAD_TOO_LARGE: 'The request body is larger than the server accepts.',
  FORGE_UNSUPPORTED_MEDIA_TYPE: 'The request body is not JSON.',
  FORGE_ROUTE_NOT_FOUND: 'No route matches the method and path.',
  FORGE_INTERNAL: 'An unexpected error; a bug in Forge Core.',
  FORGE_GIT_FAILED: 'A git command failed.',
  FORGE_NOT_A_GIT_REPOSITORY: 'The path is not the top level of a git repository.',
  FORGE_REPOSITORY_EMPTY: 'The repository has no commits.',
  FORGE_REPOSITORY_MISSING: "The project's repository is no longer at its path (deleted or moved).",
  FORGE_BRANCH_NOT_FOUND: 'The named branch does not exist.',
  FORGE_MERGE_CONFLICT: 'The branches conflict; rebase and resolve first.',
  FORGE_NOTHING_TO_MERGE: 'The attempt branch has no changes against its base.',
  FORGE_PUSH_REJECTED: 'The remote refused the push.',
  FORGE_PUSH_FAILED: 'The remote could not be reached or failed.',
  FORGE_WORKTREE_FAILED: 'The worktree could not be created or removed.',
  FORGE_EXECUTOR_NOT_FOUND: 'No installed executor has this id.',
  FORGE_EXECUTOR_UNAVAILABLE: 'The executor is installed but cannot run here.',
  FORGE_ATTEMPT_INTERRUPTED: 'The server stopped while the attempt was running.',
  FORGE_SETUP_SCRIPT_FAILED: "The project's setup script failed in the worktree.",
  FORGE_AGENT_FAILED: 'The agent reported failure or exited abnormally.',
  FORGE_AGENT_RATE_LIMITED: "The agent's provider refused for too many requests; retry after the time given.",
  FORGE_AGENT_QUOTA_EXCEEDED: "The agent's account has run out of quota or credit.",
  FORGE_AGENT_AUTH_REQUIRED: 'The agent CLI has no usable credentials; log in or give it a key.',
  FORGE_PROFILE_NOT_FOUND: 'No executor profile has this name.',
  FORGE_PROFILE_READ_ONLY: "The profile comes from the server's configuration file; change it there.",
  FORGE_COMMIT_FAILED: "The agent's work could not be committed on the attempt's branch (its worktree or repository is gone).",
  FORGE_LOCK_TIMEOUT: 'Another process held a repository lock (worktrees or a merge) for too long; retry.',
  FORGE_SECRETS_UNAVAILABLE: "The server's secret key is unreadable, or does not open the secrets stored with it.",
  FORGE_PLUGIN_MANIFEST_INVALID: 'A pack has an invalid package.json#forge manifest.',
  FORGE_PLUGIN_SDK_INCOMPATIBLE: 'A pack needs a contract version this host does not implement.',
  FORGE_PLUGIN_IMPORT_FAILED: 'A pack entry could not be imported.',
  FORGE_PLUGIN_EXPORT_INVALID: 'A pack entry does not export what its manifest declares.',
  FORGE_PLUGIN_DUPLICATE_ID: 'Two packs contribute the same id.',
  FORGE_PLUGIN_HOOK_FAILED: 'A pack hook threw or rejected.',
  FORGE_PLUGIN_HOOK_TIMEOUT: 'A pack hook did not answer in time.',
  FORGE_PLUGIN_EVENT_INVALID: 'An executor yielded an event that breaks the contract.',
  FORGE_PLUGIN_CONFIG_INVALID: "The server's settings for an executor (configuration `executors.<id>`) do not match its descriptors.",
  FORGE_PLUGIN_DISABLED: 'The pack is installed but disabled.',
  FORGE_PLUGIN_INSTALL_FAILED: 'npm could not install the pack.',
  FORGE_PROVIDER_AUTH_FAILED: 'The code host refused the token.',
  FORGE_PROVIDER_NOT_FOUND: 'The code host has no such repository or pull request.',
  FORGE_PROVIDER_RATE_LIMITED: 'The code host rate-limited the request; retry later.',
  FORGE_PROVIDER_CONFLICT: 'The code host refused the change as conflicting with its state (HTTP 409).',
  FORGE_PROVIDER_REJECTED: 'The code host refused the request as invalid (HTTP 422): no commits between the branches, a missing branch.',
  FORGE_PROVIDER_NOT_CONFIGURED: "No git provider serves the project's remote, or the one chosen lacks its token or base URL.",
  FORGE_PROVIDER_FAILED: 'The code host failed or could not be reached.',
  FORGE_FEATURE_DISABLED: "The feature is switched off in this server's configuration; GET /api/v1/features lists the features and how to switch them.",
  FORGE_DEPENDENCY_CYCLE: 'The dependency would close a cycle of tasks; the details name the cycle.',
  FORGE_TASK_BLOCKED: 'The task waits on dependencies that are not done yet; the details name them.',
  FORGE_WEBHOOK_TARGET_REFUSED: 'The webhook URL resolves to a private, loopback or link-local address, refused unless the configuration allows it.',
} as const;

export type ForgeErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code and, when it crossed a plugin boundary, where it came from. */
export class ForgeError extends Error {
  readonly code: ForgeErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ForgeErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ForgeError';
    this.code = code;
    this.details = details;
  }
}
