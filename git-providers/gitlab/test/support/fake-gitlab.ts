import { createHash, randomBytes } from 'node:crypto';
import { startFakeHost, type FakeAnswer, type FakeHandler, type FakeHost, type FakeRequest, type ProviderFake } from '@forge-core/openapi-fake-host';
import {
  commitStatusBody,
  errorBody,
  mergeRequestBasicBody,
  mergeRequestBody,
  noteBody,
  pipelineBody,
  type MergeRequestFields,
  type NoteFields,
  type UserFields,
} from './gitlab-bodies.ts';
import { gitlabPage } from './gitlab-pages.ts';
import { gitlabSpec } from './gitlab-spec.ts';

/** For this pack's tests: one interface for all four fakes, since the core's end-to-end test drives them alike. */
export type { ProviderFake };

interface Job {
  id: number;
  name: string;
  status: 'running' | 'success' | 'failed';
  description: string | null;
  createdAt: string;
}

interface Pipeline {
  id: number;
  iid: number;
  mergeRequestIid: number;
  sha: string;
  createdAt: string;
  jobs: Job[];
}

/** GitLab's draft marker (MergeRequest::DRAFT_REGEX): a title with it opens a draft. */
const DRAFT_TITLE = /^\s*(?:\[draft\]|\(draft\)|draft:)/i;
const PROJECT_ID = 48213307;
const BOT: UserFields = { id: 20741190, username: 'forge-bot', name: 'Forge Bot' };

const JOB_STATUS = { pending: 'running', success: 'success', failure: 'failed' } as const;

/** A pipeline's status from its jobs', as GitLab composes it. */
const pipelineStatus = (jobs: readonly Job[]) =>
  jobs.some((job) => job.status === 'failed') ? 'failed' : jobs.some((job) => job.status === 'running') ? 'running' : jobs.length === 0 ? 'created' : 'success';

/**
 * A GitLab project on 127.0.0.1 that keeps merge requests, pipelines and notes in memory and
 * serves the operations the gitlab provider uses, every request and answer checked against the
 * recorded GitLab spec by the OpenAPI fake host. Time is a counter (one second per event from
 * 2025-03-04T10:00:00Z), so orders and answers are the same on every run.
 */
export async function startFakeGitLab(options: { token?: string; owner?: string; repo?: string } = {}): Promise<ProviderFake> {
  const token = options.token ?? `glpat-${randomBytes(10).toString('hex')}`;
  const projectPath = `${options.owner ?? 'acme'}/${options.repo ?? 'widgets'}`;
  const mergeRequests = new Map<number, MergeRequestFields>();
  const pipelines: Pipeline[] = [];
  const notes: NoteFields[] = [];
  let rateLimitSeconds: number | null = null;
  let tick = 0;
  let nextId = 1;
  const now = () => new Date(Date.UTC(2025, 2, 4, 10, 0, tick++)).toISOString();
  const newId = () => nextId++;
  const commitSha = (seed: string) => createHash('sha1').update(`${seed}#${nextId}`).digest('hex');
  const baseSha = commitSha('main');

  const host: FakeHost = await startFakeHost({
    spec: gitlabSpec(),
    lenientNulls: true,
    label: 'gitlab',
    authenticate: gate,
    handlers: {
      postApiV4ProjectsIdMergeRequests: inProject(createMergeRequest),
      getApiV4ProjectsIdMergeRequests: inProject(listMergeRequests),
      getApiV4ProjectsIdMergeRequestsMergeRequestIid: inProject(withMergeRequest('merge_request_iid', (mr) => ({ status: 200, body: mergeRequestBody(mr, host.origin) }))),
      getApiV4ProjectsIdMergeRequestsMergeRequestIidPipelines: inProject(withMergeRequest('merge_request_iid', listPipelines)),
      getApiV4ProjectsIdRepositoryCommitsShaStatuses: inProject(listStatuses),
      getApiV4ProjectsIdMergeRequestsNoteableIdNotes: inProject(withMergeRequest('noteable_id', listNotes)),
    },
  });
  const webUrl = `${host.origin}/${projectPath}`;

  /** GitLab's gate before any route: its rate limit, then the token (PRIVATE-TOKEN or OAuth-style Bearer). */
  function gate(request: FakeRequest): FakeAnswer | undefined {
    if (rateLimitSeconds !== null) {
      const seconds = rateLimitSeconds;
      rateLimitSeconds = null;
      // GitLab.com's throttle answer: plain text, with Retry-After and the RateLimit-* headers.
      return {
        status: 429,
        text: 'Retry later\n',
        headers: { 'retry-after': String(seconds), 'ratelimit-name': 'throttle_authenticated_api', 'ratelimit-limit': '2000', 'ratelimit-observed': '2001', 'ratelimit-remaining': '0' },
      };
    }
    const bearer = /^Bearer (.+)$/i.exec(request.headers['authorization'] ?? '')?.[1];
    if (request.headers['private-token'] === token || bearer === token) return undefined;
    return { status: 401, body: errorBody('401 Unauthorized') };
  }

  function inProject(handler: FakeHandler): FakeHandler {
    return (request, fake) => (request.params['id'] === projectPath ? handler(request, fake) : { status: 404, body: errorBody('404 Project Not Found') });
  }

  function withMergeRequest(param: string, handler: (mr: MergeRequestFields, request: FakeRequest) => FakeAnswer): FakeHandler {
    return (request) => {
      const mr = mergeRequests.get(Number(request.params[param]));
      return mr === undefined ? { status: 404, body: errorBody('404 Not found') } : handler(mr, request);
    };
  }

  function createMergeRequest(request: FakeRequest): FakeAnswer {
    const input = request.body as { source_branch: string; target_branch: string; title: string; description?: string };
    if (input.source_branch === input.target_branch) return { status: 422, body: errorBody(["You can't use same project/branch for source and target"]) };
    const open = [...mergeRequests.values()].find((mr) => mr.state === 'opened' && mr.sourceBranch === input.source_branch && mr.targetBranch === input.target_branch);
    // GitLab's answer to a second open merge request for a branch (API::MergeRequests, validate_branches → 409).
    if (open !== undefined) return { status: 409, body: errorBody([`Another open merge request already exists for this source branch: !${open.iid}`]) };
    const iid = mergeRequests.size + 1;
    const createdAt = now();
    const mr: MergeRequestFields = {
      id: 372880000 + newId(),
      iid,
      projectId: PROJECT_ID,
      projectPath,
      webUrl: `${webUrl}/-/merge_requests/${iid}`,
      title: input.title,
      description: input.description ?? '',
      state: 'opened',
      draft: DRAFT_TITLE.test(input.title),
      sourceBranch: input.source_branch,
      targetBranch: input.target_branch,
      sha: commitSha(input.source_branch),
      baseSha,
      author: BOT,
      createdAt,
      updatedAt: createdAt,
    };
    mergeRequests.set(iid, mr);
    return { status: 201, body: mergeRequestBody(mr, host.origin) };
  }

  function listMergeRequests(request: FakeRequest): FakeAnswer {
    const { source_branch: source, target_branch: target, state = 'all', order_by: orderBy = 'created_at', sort = 'desc' } = request.query as Record<string, string | undefined>;
    const key = orderBy === 'updated_at' ? 'updatedAt' : 'createdAt';
    const found = [...mergeRequests.values()]
      .filter((mr) => (source === undefined || mr.sourceBranch === source) && (target === undefined || mr.targetBranch === target) && (state === 'all' || mr.state === state))
      .sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id) * (sort === 'asc' ? 1 : -1));
    const page = gitlabPage(found, request.url);
    return { status: 200, body: page.items.map((mr) => mergeRequestBasicBody(mr, host.origin)), headers: page.headers };
  }

  function listPipelines(mr: MergeRequestFields, request: FakeRequest): FakeAnswer {
    const own = pipelines.filter((pipeline) => pipeline.mergeRequestIid === mr.iid).sort((a, b) => b.id - a.id);
    const page = gitlabPage(own, request.url);
    const body = page.items.map((pipeline) =>
      pipelineBody({
        id: pipeline.id,
        iid: pipeline.iid,
        projectId: PROJECT_ID,
        sha: pipeline.sha,
        ref: `refs/merge-requests/${mr.iid}/head`,
        status: pipelineStatus(pipeline.jobs),
        webUrl: `${webUrl}/-/pipelines/${pipeline.id}`,
        createdAt: pipeline.createdAt,
      }),
    );
    return { status: 200, body, headers: page.headers };
  }

  function listStatuses(request: FakeRequest): FakeAnswer {
    const sha = request.params['sha'];
    const statuses = pipelines
      .filter((pipeline) => pipeline.sha === sha)
      .flatMap((pipeline) => pipeline.jobs.map((job) => ({ job, pipeline })))
      .sort((a, b) => a.job.id - b.job.id);
    const page = gitlabPage(statuses, request.url);
    const body = page.items.map(({ job, pipeline }) =>
      commitStatusBody(
        {
          id: job.id,
          sha: pipeline.sha,
          ref: `refs/merge-requests/${pipeline.mergeRequestIid}/head`,
          name: job.name,
          status: job.status,
          description: job.description,
          targetUrl: `${webUrl}/-/jobs/${job.id}`,
          pipelineId: pipeline.id,
          author: BOT,
          createdAt: job.createdAt,
        },
        host.origin,
      ),
    );
    return { status: 200, body, headers: page.headers };
  }

  function listNotes(mr: MergeRequestFields, request: FakeRequest): FakeAnswer {
    const descending = request.query['sort'] !== 'asc';
    const own = notes.filter((note) => note.mergeRequestIid === mr.iid).sort((a, b) => (a.id - b.id) * (descending ? -1 : 1));
    const page = gitlabPage(own, request.url);
    return { status: 200, body: page.items.map((note) => noteBody(note, host.origin)), headers: page.headers };
  }

  const existing = (number: number): MergeRequestFields => {
    const mr = mergeRequests.get(number);
    if (mr === undefined) throw new Error(`fake GitLab: there is no merge request !${number}`);
    return mr;
  };

  const addNote = (mr: MergeRequestFields, fields: Pick<NoteFields, 'body' | 'author' | 'system' | 'position'>) => {
    notes.push({ id: 2385000000 + newId(), createdAt: now(), projectId: PROJECT_ID, mergeRequestId: mr.id, mergeRequestIid: mr.iid, ...fields });
  };

  return {
    apiBaseUrl: `${host.origin}/api/v4`,
    token,
    host,
    pullRequests: () =>
      [...mergeRequests.values()].map((mr) => ({
        number: mr.iid,
        head: mr.sourceBranch,
        base: mr.targetBranch,
        state: mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open',
        title: mr.title,
        body: mr.description,
        draft: mr.draft,
        headSha: mr.sha,
      })),
    setHeadSha(number, sha) {
      const mr = existing(number);
      mr.sha = sha;
      mr.updatedAt = now();
      addNote(mr, { body: `added 1 commit\n\n<ul><li>${sha.slice(0, 8)} - Follow-up</li></ul>`, author: BOT, system: true });
    },
    setChecks(number, state, checkOptions = {}) {
      const mr = existing(number);
      let pipeline = pipelines.filter((candidate) => candidate.mergeRequestIid === number && candidate.sha === mr.sha).at(-1);
      if (pipeline === undefined) {
        pipeline = { id: 1709000000 + newId(), iid: pipelines.length + 1, mergeRequestIid: number, sha: mr.sha, createdAt: now(), jobs: [] };
        pipelines.push(pipeline);
      }
      const name = checkOptions.name ?? 'test';
      const job: Job = { id: 9310000 + newId(), name, status: JOB_STATUS[state], description: checkOptions.summary ?? null, createdAt: now() };
      // A job run again replaces its earlier try, as the statuses endpoint lists only the latest.
      pipeline.jobs = [...pipeline.jobs.filter((other) => other.name !== name), job];
    },
    addReviewComment(number, comment) {
      const mr = existing(number);
      const author: UserFields = comment.author === undefined ? { id: 3126511, username: 'alice.reviewer', name: 'Alice Reviewer' } : { id: 3126512, username: comment.author, name: comment.author };
      const position = comment.path === undefined ? undefined : { path: comment.path, ...(comment.line === undefined ? {} : { line: comment.line }), baseSha: mr.baseSha, headSha: mr.sha };
      addNote(mr, { body: comment.body, author, system: false, ...(position === undefined ? {} : { position }) });
    },
    merge(number) {
      const mr = existing(number);
      mr.state = 'merged';
      mr.mergedAt = mr.updatedAt = now();
      addNote(mr, { body: 'merged', author: BOT, system: true });
    },
    closePullRequest(number) {
      const mr = existing(number);
      mr.state = 'closed';
      mr.closedAt = mr.updatedAt = now();
      addNote(mr, { body: 'closed', author: BOT, system: true });
    },
    rateLimitNext(retryAfterSeconds) {
      rateLimitSeconds = retryAfterSeconds;
    },
    close: () => host.close(),
  };
}
