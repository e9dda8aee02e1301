import { defineGitProvider } from '@forge-core/sdk';
import { readChecks } from './checks.ts';
import { PROVIDER_ID } from './gitlab-api.ts';
import { createMergeRequest, findMergeRequest, getMergeRequest } from './merge-requests.ts';
import { matchGitLabRemote } from './remote-url.ts';
import { readReviewComments } from './review-comments.ts';

export const gitlab = defineGitProvider({
  id: PROVIDER_ID,
  displayName: 'GitLab',
  description: 'Merge requests, pipelines and review comments on GitLab.com and GitLab self-managed (REST API v4).',
  capabilities: { draftPullRequests: true, reviewComments: true },
  // GitLab takes any user name with a personal, project or group access token over https, and
  // requires "oauth2" with an OAuth token (docs.gitlab.com/api/oauth2#access-git-over-https-with-access-token),
  // so "oauth2" works with every kind of token.
  auth: { env: 'GITLAB_TOKEN', gitUsername: 'oauth2' },
  matchRemote: matchGitLabRemote,
  // GitLab serves its API under the instance's own address, on GitLab.com and self-managed alike.
  defaultApiUrl: (remote) => `https://${remote.host}/api/v4`,
  createPullRequest: createMergeRequest,
  getPullRequest: getMergeRequest,
  findPullRequest: findMergeRequest,
  getChecks: readChecks,
  listReviewComments: readReviewComments,
});
