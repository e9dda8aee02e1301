import type { FakeHost } from './index.ts';

/**
 * A stateful stand-in for one repository on a code host, served on 127.0.0.1 through
 * startFakeHost so every request and answer is checked against the vendor's OpenAPI description.
 * Each pack implements it in test/support/fake-<id>.ts; the pack's scenario tests and the core's
 * end-to-end test (core/test/pull-request-scenarios.test.ts) drive a provider against it, and
 * change the host's side of a pull request's life through it. A pull request is named by the
 * number the contract uses (GitLab's iid); a number the fake does not hold throws.
 */
export interface ProviderFake {
  /** Give this to the provider as ctx.apiBaseUrl. */
  apiBaseUrl: string;
  /** The only token it accepts (others → the host's 401). */
  token: string;
  /** The underlying fake host (problems, requests, assertClean). */
  host: FakeHost;
  /** The pull requests as the host stores them, in the order they were opened, in the contract's words (state, draft, the full head sha). */
  pullRequests(): { number: number; head: string; base: string; state: 'open' | 'closed' | 'merged'; title: string; body: string; draft: boolean; headSha: string }[];
  /** The PR's head moves to `sha`, as a push to its branch would move it; checks set before stay on the old sha. */
  setHeadSha(number: number, sha: string): void;
  /** The checks of the PR's current head sha: one check per name (the pack's default name when none), replaced when set again. */
  setChecks(number: number, state: 'pending' | 'success' | 'failure', options?: { name?: string; summary?: string }): void;
  /** A reviewer's comment (a default reviewer when no author): inline on `path`/`line` when a path is given, else on the pull request as a whole. */
  addReviewComment(number: number, comment: { body: string; path?: string; line?: number; author?: string }): void;
  /** Merged on the host, as a person merging it there would. */
  merge(number: number): void;
  /** Closed on the host without merging. */
  closePullRequest(number: number): void;
  /** The next request answers the host's rate-limit response, asking to wait `retryAfterSeconds`. */
  rateLimitNext(retryAfterSeconds: number): void;
  /** Stops the fake host. */
  close(): Promise<void>;
}
