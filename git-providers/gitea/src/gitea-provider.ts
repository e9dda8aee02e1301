import { defineGitProvider } from '@forge-core/sdk';
import { getChecks } from './commit-status-checks.ts';
import { GITEA_PROVIDER_ID } from './gitea-api.ts';
import { createPullRequest, findPullRequest, getPullRequest } from './pull-requests.ts';
import { matchGiteaRemote } from './remote-url.ts';
import { listReviewComments } from './review-comments.ts';

export const giteaProvider = defineGitProvider({
  id: GITEA_PROVIDER_ID,
  displayName: 'Gitea / Forgejo',
  description: 'Pull requests, commit statuses and reviews on Gitea and Forgejo servers (gitea.com, codeberg.org, or self-hosted) through the REST API v1.',
  capabilities: { draftPullRequests: true, reviewComments: true },
  auth: {
    env: 'GITEA_TOKEN',
    // Gitea and Forgejo take a non-empty password as the token and never compare the user name
    // with the token's owner (services/auth/basic.go); "oauth2" is the name commonly used for it.
    gitUsername: 'oauth2',
  },
  matchRemote: matchGiteaRemote,
  // The API lives under the web root on every Gitea; a server installed under a sub-path needs its base URL configured.
  defaultApiUrl: (remote) => `https://${remote.host}/api/v1`,
  createPullRequest,
  getPullRequest,
  findPullRequest,
  getChecks,
  listReviewComments,
});
