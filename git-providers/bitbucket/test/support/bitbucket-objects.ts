import { createHash } from 'node:crypto';

/**
 * Bitbucket Cloud 2.0 objects as the API sends them, for fake hosts: the fields Bitbucket fills,
 * shaped so the 2.0 description accepts them. Where Bitbucket sends null (merge_commit,
 * closed_by, inline.from) the description does not allow it, so these leave the field out.
 */

export type PullRequestState = 'OPEN' | 'MERGED' | 'DECLINED' | 'SUPERSEDED';
export type CommitStatusState = 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'STOPPED';

/** Where the objects' links point: the API root the fake serves and the web origin of its pages. */
export interface Site {
  apiBaseUrl: string;
  webOrigin: string;
  workspace: string;
  repo: string;
}

const link = (href: string) => ({ href });

/** A user as Bitbucket shows one: `username` is gone from most accounts (GDPR), `nickname` and the ids remain. */
export function account(displayName: string, nickname: string) {
  const hex = createHash('sha256').update(nickname).digest('hex');
  return {
    type: 'user',
    display_name: displayName,
    nickname,
    uuid: `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}}`,
    account_id: `557058:${hex.slice(32, 68)}`,
  };
}

const repositoryOf = (site: Site) => ({
  type: 'repository',
  full_name: `${site.workspace}/${site.repo}`,
  name: site.repo,
  links: { self: link(`${site.apiBaseUrl}/repositories/${site.workspace}/${site.repo}`), html: link(`${site.webOrigin}/${site.workspace}/${site.repo}`) },
});

export interface PullRequestFields {
  id: number;
  title: string;
  description: string;
  state: PullRequestState;
  draft: boolean;
  head: string;
  /** Bitbucket sends the 12-character short hash on pull request endpoints. */
  headSha: string;
  base: string;
  baseSha: string;
  createdOn: string;
  updatedOn: string;
  mergeSha?: string;
  author: ReturnType<typeof account>;
  /** The repository the head branch lives in, when not this one (a fork). */
  sourceFullName?: string;
}

export function pullRequest(site: Site, fields: PullRequestFields): Record<string, unknown> {
  const self = `${site.apiBaseUrl}/repositories/${site.workspace}/${site.repo}/pullrequests/${fields.id}`;
  const repository = repositoryOf(site);
  const sourceRepository = fields.sourceFullName === undefined ? repository : { ...repository, full_name: fields.sourceFullName, name: fields.sourceFullName.split('/')[1] };
  return {
    type: 'pullrequest',
    id: fields.id,
    title: fields.title,
    description: fields.description,
    summary: { raw: fields.description, markup: 'markdown', html: fields.description === '' ? '' : `<p>${fields.description}</p>` },
    state: fields.state,
    draft: fields.draft,
    author: fields.author,
    source: { branch: { name: fields.head }, commit: { hash: fields.headSha }, repository: sourceRepository },
    destination: { branch: { name: fields.base }, commit: { hash: fields.baseSha }, repository },
    ...(fields.mergeSha === undefined ? {} : { merge_commit: { hash: fields.mergeSha } }),
    close_source_branch: false,
    comment_count: 0,
    task_count: 0,
    reason: '',
    created_on: fields.createdOn,
    updated_on: fields.updatedOn,
    links: {
      self: link(self),
      html: link(`${site.webOrigin}/${site.workspace}/${site.repo}/pull-requests/${fields.id}`),
      comments: link(`${self}/comments`),
    },
  };
}

export interface CommitStatusFields {
  key: string;
  name: string;
  state: CommitStatusState;
  url: string;
  description: string;
  /** The full 40-character hash the status was set on. */
  commit: string;
  createdOn: string;
  updatedOn: string;
}

export function commitStatus(site: Site, fields: CommitStatusFields): Record<string, unknown> {
  const commit = `${site.apiBaseUrl}/repositories/${site.workspace}/${site.repo}/commit/${fields.commit}`;
  return {
    type: 'build',
    key: fields.key,
    name: fields.name,
    state: fields.state,
    url: fields.url,
    description: fields.description,
    created_on: fields.createdOn,
    updated_on: fields.updatedOn,
    links: { self: link(`${commit}/statuses/build/${encodeURIComponent(fields.key)}`), commit: link(commit) },
  };
}

export interface CommentFields {
  id: number;
  pullRequestId: number;
  raw: string;
  createdOn: string;
  author: ReturnType<typeof account>;
  path?: string;
  /** The line in the new file. */
  to?: number;
  /** The line in the old file, for a comment on a removed line. */
  from?: number;
  deleted?: boolean;
}

export function comment(site: Site, fields: CommentFields): Record<string, unknown> {
  const pullRequest = `${site.apiBaseUrl}/repositories/${site.workspace}/${site.repo}/pullrequests/${fields.pullRequestId}`;
  const inline =
    fields.path === undefined ? undefined : { path: fields.path, ...(fields.to === undefined ? {} : { to: fields.to }), ...(fields.from === undefined ? {} : { from: fields.from }) };
  return {
    type: 'pullrequest_comment',
    id: fields.id,
    created_on: fields.createdOn,
    updated_on: fields.createdOn,
    content: { raw: fields.deleted ? '' : fields.raw, markup: 'markdown', html: fields.deleted ? '' : `<p>${fields.raw}</p>` },
    user: fields.author,
    deleted: fields.deleted === true,
    ...(inline === undefined ? {} : { inline }),
    links: { self: link(`${pullRequest}/comments/${fields.id}`), html: link(`${site.webOrigin}/${site.workspace}/${site.repo}/pull-requests/${fields.pullRequestId}/_/diff#comment-${fields.id}`) },
  };
}

/** One page of a collection, with `next` when more follow, as Bitbucket pages them. */
export function page(values: readonly unknown[], options: { page: number; pagelen: number; size: number; next?: string }): Record<string, unknown> {
  return { values, page: options.page, pagelen: options.pagelen, size: options.size, ...(options.next === undefined ? {} : { next: options.next }) };
}
