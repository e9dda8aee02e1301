import { basename, resolve } from 'node:path';
import { PAGE_FIELDS, PROJECT_FIELDS, type Page, type Project } from './api-types.ts';
import { JSON_FLAG, PAGE_FLAGS, QUIET_FLAG, defineCommand } from './client-command.ts';
import { shellWord } from './command-line.ts';
import { integerFlag } from './flag-values.ts';
import { printListing } from './listing.ts';
import { fieldList } from './text-table.ts';
import { terminalSafe } from './terminal-style.ts';

export const projectAdd = defineCommand({
  noun: 'project',
  verb: 'add',
  summary: 'Register an existing local git repository as a project',
  args: ['<path>'],
  flags: {
    name: { type: 'string', value: '<name>', description: "the project's name (default: the folder's name)" },
    'default-branch': { type: 'string', value: '<branch>', description: 'the branch attempts start from and merge into (default: the repository\'s current one)' },
    'setup-script': { type: 'string', value: '<script>', description: 'a shell script run in each new worktree before the agent (e.g. "npm ci")' },
    'cleanup-script': { type: 'string', value: '<script>', description: 'a shell script run in the worktree after the agent' },
    'dev-script': { type: 'string', value: '<script>', description: "the script that starts the project's dev server" },
    'max-concurrent': { type: 'string', value: '<n>', description: "how many of its attempts may run at once (default: the server's cap)" },
    'worktree-pool': { type: 'string', value: '<n>', description: "ready worktrees kept for its next attempts, 0 for none (default: the server's FORGE_WORKTREE_POOL_SIZE)" },
    ...JSON_FLAG,
    ...QUIET_FLAG,
  },
  example: 'forgecore project add ~/code/my-app --setup-script "npm ci"',
  async run({ api, output, name: command }, { args, flags }) {
    // The server needs an absolute path; a relative one means the user's current folder, as in git.
    const repoPath = resolve(args[0]!);
    const project = await api().call<Project>('POST', '/projects', {
      body: {
        name: flags.name ?? basename(repoPath),
        repoPath,
        defaultBranch: flags['default-branch'],
        setupScript: flags['setup-script'],
        cleanupScript: flags['cleanup-script'],
        devScript: flags['dev-script'],
        maxConcurrentAttempts: integerFlag(command, 'max-concurrent', flags['max-concurrent'], 1, 1000),
        worktreePoolSize: integerFlag(command, 'worktree-pool', flags['worktree-pool'], 0, 64),
      },
      expect: PROJECT_FIELDS,
    });
    if (flags.json) output.json(project);
    else if (flags.quiet) output.print(project.id);
    else output.print(`Added project ${terminalSafe(project.name)} ${project.id} (${project.repoPath}, branch ${project.defaultBranch}).`);
    return 0;
  },
});

export const projectList = defineCommand({
  noun: 'project',
  verb: 'list',
  summary: 'List the projects, oldest first',
  args: [],
  flags: { ...PAGE_FLAGS, ...JSON_FLAG },
  example: 'forgecore project list',
  async run({ api, output, name: command, forgecore }, { flags }) {
    const page = await api().call<Page<Project>>('GET', '/projects', { query: { limit: integerFlag(command, 'limit', flags.limit, 1, 1000), cursor: flags.cursor }, expect: PAGE_FIELDS });
    return printListing(output, page, flags.json, {
      header: ['ID', 'NAME', 'BRANCH', 'REPOSITORY'],
      row: (p) => [p.id, terminalSafe(p.name), p.defaultBranch, p.repoPath],
      empty: `No projects yet. Add one with: ${forgecore('project add <path>')}`,
      next: (cursor) => forgecore('project list', flags.limit && `--limit ${shellWord(flags.limit)}`, `--cursor ${shellWord(cursor)}`),
    });
  },
});

export const projectShow = defineCommand({
  noun: 'project',
  verb: 'show',
  summary: "Show a project's settings",
  args: ['<projectId>'],
  flags: { ...JSON_FLAG },
  example: 'forgecore project show 0190f1c2-…',
  async run({ api, output }, { args, flags }) {
    const project = await api().call<Project>('GET', `/projects/${encodeURIComponent(args[0]!)}`, { expect: PROJECT_FIELDS });
    if (flags.json) output.json(project);
    else {
      output.print(
        fieldList([
          ['ID', project.id],
          ['Name', terminalSafe(project.name)],
          ['Repository', project.repoPath],
          ['Remote', project.remoteUrl],
          ['Default branch', project.defaultBranch],
          ['Setup script', project.setupScript && terminalSafe(project.setupScript)],
          ['Cleanup script', project.cleanupScript && terminalSafe(project.cleanupScript)],
          ['Dev script', project.devScript && terminalSafe(project.devScript)],
          ['Max concurrent', project.maxConcurrentAttempts === null ? null : String(project.maxConcurrentAttempts)],
          ['Worktree pool', project.worktreePoolSize === null ? null : String(project.worktreePoolSize)],
          ['Created', project.createdAt],
        ]),
      );
    }
    return 0;
  },
});
