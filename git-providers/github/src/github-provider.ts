import { defineGitProvider } from '@forge-core/sdk';
import { getGitHubChecks } from './checks.ts';
import { GITHUB_PROVIDER_ID } from './github-http.ts';
import { gitHubApiUrl, matchGitHubRemote } from './github-remote.ts';
import { createGitHubPullRequest, findGitHubPullRequest, getGitHubPullRequest } from './pull-requests.ts';
import { listGitHubReviewComments } from './review-comments.ts';

export const github = defineGitProvider({
  id: GITHUB_PROVIDER_ID,
  displayName: 'GitHub',
  description:
    'Opens and follows pull requests on GitHub.com and GitHub Enterprise Server through the REST API (version 2022-11-28): check runs and commit statuses of the head commit, review and conversation comments.',
  capabilities: { draftPullRequests: true, reviewComments: true },
  // GitHub's documented user name for a token sent as the password over https (installation tokens; personal tokens accept it too).
  auth: { env: 'GITHUB_TOKEN', gitUsername: 'x-access-token' },
  matchRemote: matchGitHubRemote,
  defaultApiUrl: gitHubApiUrl,
  createPullRequest: createGitHubPullRequest,
  getPullRequest: getGitHubPullRequest,
  findPullRequest: findGitHubPullRequest,
  getChecks: getGitHubChecks,
  listReviewComments: listGitHubReviewComments,
});
