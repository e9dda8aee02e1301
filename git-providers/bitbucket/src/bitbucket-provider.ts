import { defineGitProvider } from '@forge-core/sdk';
import { BITBUCKET_PROVIDER_ID } from './bitbucket-http.ts';
import { bitbucketApiUrl, matchBitbucketRemote } from './bitbucket-remote.ts';
import { getChecks } from './checks.ts';
import { createPullRequest, findPullRequest, getPullRequest } from './pull-requests.ts';
import { listReviewComments } from './review-comments.ts';

export const bitbucket = defineGitProvider({
  id: BITBUCKET_PROVIDER_ID,
  displayName: 'Bitbucket Cloud',
  description: 'Opens and follows pull requests on bitbucket.org through the REST API 2.0: build statuses and review comments. Not Bitbucket Data Center.',
  // The 2.0 description this pack is tested against has no `draft` field on pull requests.
  capabilities: { draftPullRequests: false, reviewComments: true },
  // Bitbucket's documented git user name for workspace, project and repository access tokens over https.
  auth: { env: 'BITBUCKET_TOKEN', gitUsername: 'x-token-auth' },
  matchRemote: matchBitbucketRemote,
  defaultApiUrl: bitbucketApiUrl,
  createPullRequest,
  getPullRequest,
  findPullRequest,
  getChecks,
  listReviewComments,
});
