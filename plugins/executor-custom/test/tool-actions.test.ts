import assert from 'node:assert/strict';
import { describeTool } from '../src/tool-actions.ts';

const WORKTREE = '/work/tree';

describe('tool actions', () => {
  it('tells what a tool does from the words of its name', () => {
    const actions = Object.fromEntries(
      ['write_file', 'Edit', 'MultiEdit', 'apply_patch', 'developer__text_editor', 'run_shell_command', 'Bash', 'read_file', 'View', 'grep', 'web_search', 'WebFetch', 'TodoWrite', 'update_plan', 'summon_unicorn'].map(
        (name) => [name, describeTool(name, {}, WORKTREE).action],
      ),
    );
    assert.deepEqual(actions, {
      write_file: 'file_edit',
      Edit: 'file_edit',
      MultiEdit: 'file_edit',
      apply_patch: 'file_edit',
      developer__text_editor: 'file_edit',
      run_shell_command: 'command',
      Bash: 'command',
      read_file: 'file_read',
      View: 'file_read',
      grep: 'search',
      web_search: 'search',
      WebFetch: 'web_fetch',
      TodoWrite: 'todo',
      update_plan: 'plan',
      summon_unicorn: 'other',
    });
  });

  it('finds the edited file and what a successful call does to it', () => {
    assert.deepEqual(describeTool('edit_file', { path: 'src/a.ts', old: 'x', new: 'y' }, WORKTREE), { action: 'file_edit', summary: 'src/a.ts', editedPath: 'src/a.ts', change: 'modified' });
    assert.deepEqual(describeTool('create_file', { file_path: 'b.md' }, WORKTREE), { action: 'file_edit', summary: 'b.md', editedPath: 'b.md', change: 'added' });
    assert.deepEqual(describeTool('delete_file', { filename: 'c.md' }, WORKTREE), { action: 'file_edit', summary: 'c.md', editedPath: 'c.md', change: 'deleted' });
    assert.deepEqual(describeTool('write', {}, WORKTREE), { action: 'file_edit' });
    assert.deepEqual(describeTool('Write', { file_path: `${WORKTREE}/docs/a.md` }, WORKTREE), { action: 'file_edit', summary: 'docs/a.md', editedPath: 'docs/a.md', change: 'modified' });
    assert.deepEqual(describeTool('read_file', { path: '/etc/hosts' }, WORKTREE), { action: 'file_read', summary: '/etc/hosts' });
  });

  it('summarises commands, searches and fetches, and reads arguments given as a JSON string', () => {
    assert.equal(describeTool('shell', { command: ['npm', 'test'] }, WORKTREE).summary, 'npm test');
    assert.equal(describeTool('run_command', '{"cmd": "make lint"}', WORKTREE).summary, 'make lint');
    assert.equal(describeTool('grep', { pattern: 'TODO' }, WORKTREE).summary, 'TODO');
    assert.equal(describeTool('fetch', { url: 'https://example.com/a' }, WORKTREE).summary, 'https://example.com/a');
    assert.equal(describeTool('bash', 'ls -la\nsecond line', WORKTREE).summary, 'ls -la');
  });
});
