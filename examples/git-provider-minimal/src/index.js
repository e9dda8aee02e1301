// @ts-check
// A complete git provider pack for a fictional code host, git.example.test, whose REST API looks
// like Gitea's. Forge asks it which repository a remote points at, then opens and reads pull
// requests through the host's fetch (timeouts and token redaction are the host's job).
import { defineGitProvider, definePack, providerHttpError } from '@forge-core/sdk';

/** @typedef {import('@forge-core/sdk').ProviderContext} ProviderContext */
/** @typedef {{ number: number, html_url: string, state: 'open' | 'closed', merged: boolean, title: string, head: { ref: string }, base: { ref: string }, draft: boolean }} ApiPullRequest */

const ID = 'minimal-git';
const HOST = 'git.example.test';
// https://git.example.test/acme/widgets(.git), ssh://git@git.example.test(:2222)/acme/widgets.git, git@git.example.test:acme/widgets.git
const REMOTE = /^(?:(?:https|ssh):\/\/(?:[^@/]+@)?git\.example\.test(?::\d+)?\/|[\w.-]+@git\.example\.test:)([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/i;

/** @param {ProviderContext} ctx @returns {Record<string, string>} */
const authorization = (ctx) => (ctx.token === null ? {} : { authorization: `token ${ctx.token}` });

/** @param {unknown} body @returns {import('@forge-core/sdk').PullRequest} */
function toPullRequest(body) {
  const pr = /** @type {ApiPullRequest} */ (body);
  const state = pr.merged ? 'merged' : pr.state;
  return { number: pr.number, url: pr.html_url, state, title: pr.title, head: pr.head.ref, base: pr.base.ref, draft: pr.draft };
}

export const minimalGit = defineGitProvider({
  id: ID,
  displayName: 'Minimal Git (git.example.test)',
  capabilities: { draftPullRequests: true, reviewComments: false },
  auth: { env: 'MINIMAL_GIT_TOKEN' },
  // Where the API is unless the user configures another base URL; requests go to ctx.apiBaseUrl.
  defaultApiUrl: () => `https://${HOST}/api/v1`,
  matchRemote(url) {
    const match = REMOTE.exec(url.trim());
    return match ? { host: HOST, owner: String(match[1]), repo: String(match[2]) } : null;
  },
  async createPullRequest(input, ctx) {
    const { owner, repo } = input.remote;
    const body = { title: input.title, body: input.body ?? '', head: input.head, base: input.base, draft: input.draft ?? false };
    const response = await ctx.fetch(`${ctx.apiBaseUrl}/repos/${owner}/${repo}/pulls`, { method: 'POST', headers: authorization(ctx), body });
    if (response.status !== 201) throw providerHttpError(ID, `opening a pull request on ${owner}/${repo}`, response);
    return toPullRequest(response.body);
  },
  async getPullRequest(ref, ctx) {
    const { owner, repo } = ref.remote;
    const response = await ctx.fetch(`${ctx.apiBaseUrl}/repos/${owner}/${repo}/pulls/${ref.number}`, { headers: authorization(ctx) });
    if (response.status !== 200) throw providerHttpError(ID, `reading pull request #${ref.number} of ${owner}/${repo}`, response);
    return toPullRequest(response.body);
  },
});

export default definePack({ gitProviders: [minimalGit] });
