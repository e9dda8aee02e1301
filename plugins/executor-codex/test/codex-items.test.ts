import assert from 'node:assert/strict';
import { CodexItems } from '../src/codex-items.ts';

const ROOT = '/work/tree';

describe('codex items as events', () => {
  it('announces a command when it starts and resolves it with its output and a non-zero exit code', () => {
    const items = new CodexItems([ROOT]);
    const item = { type: 'commandExecution', id: 'c1', command: 'npm test', cwd: ROOT, status: 'inProgress', aggregatedOutput: null, exitCode: null };
    assert.deepEqual(items.started(item), [{ type: 'tool_call', callId: 'c1', tool: 'commandExecution', action: 'command', summary: 'npm test', input: { command: 'npm test', cwd: ROOT } }]);
    assert.deepEqual(items.completed({ ...item, status: 'failed', aggregatedOutput: '1 failing\n', exitCode: 1 }), [
      { type: 'tool_result', callId: 'c1', isError: true, output: '1 failing\n\n(exit code 1)' },
    ]);
    assert.deepEqual(items.completed({ ...item, id: 'c2', status: 'declined' }), [
      { type: 'tool_call', callId: 'c2', tool: 'commandExecution', action: 'command', summary: 'npm test', input: { command: 'npm test', cwd: ROOT } },
      { type: 'tool_result', callId: 'c2', isError: true, output: 'The command was declined.' },
    ]);
  });

  it('reports a patch\'s files relative to the worktree: added, deleted, modified, renamed, and older string kinds', () => {
    const items = new CodexItems([ROOT]);
    const changes = [
      { path: `${ROOT}/new.txt`, kind: { type: 'add' }, diff: '+x\n' },
      { path: `${ROOT}/old.txt`, kind: { type: 'delete' }, diff: '' },
      { path: `${ROOT}/src/a.ts`, kind: { type: 'update', move_path: null }, diff: '-a\n+b\n' },
      { path: `${ROOT}/b.ts`, kind: { type: 'update', move_path: `${ROOT}/lib/b.ts` }, diff: '' },
      { path: `${ROOT}/legacy.md`, kind: 'update', diff: '' },
      { path: '/etc/hosts', kind: { type: 'update', move_path: null }, diff: '' },
    ];
    const [call] = items.started({ type: 'fileChange', id: 'p1', changes, status: 'inProgress' });
    assert.equal(call?.type === 'tool_call' && call.summary, 'new.txt, old.txt, src/a.ts, lib/b.ts, legacy.md, /etc/hosts');
    assert.deepEqual(items.pathsOf('p1'), ['new.txt', 'old.txt', 'src/a.ts', 'lib/b.ts', 'legacy.md', '/etc/hosts']);
    assert.deepEqual(items.completed({ type: 'fileChange', id: 'p1', changes, status: 'completed' }), [
      { type: 'tool_result', callId: 'p1', isError: false },
      { type: 'file_change', path: 'new.txt', change: 'added' },
      { type: 'file_change', path: 'old.txt', change: 'deleted' },
      { type: 'file_change', path: 'src/a.ts', change: 'modified' },
      { type: 'file_change', path: 'lib/b.ts', change: 'renamed', oldPath: 'b.ts' },
      { type: 'file_change', path: 'legacy.md', change: 'modified' },
      { type: 'file_change', path: '/etc/hosts', change: 'modified' },
    ]);
    assert.deepEqual(items.completed({ type: 'fileChange', id: 'p2', changes, status: 'failed' }).slice(1), [
      { type: 'tool_result', callId: 'p2', isError: true, output: 'Codex could not apply the change.' },
    ]);
  });

  it('maps messages, reasoning, plans, MCP tool calls and web searches', () => {
    const items = new CodexItems([ROOT]);
    assert.deepEqual(items.completed({ type: 'agentMessage', id: 'm1', text: 'Done.' }), [{ type: 'message', role: 'assistant', text: 'Done.' }]);
    assert.equal(items.lastMessage, 'Done.');
    assert.deepEqual(items.completed({ type: 'reasoning', id: 'r1', summary: ['**A**', 'B'], content: [] }), [{ type: 'thinking', text: '**A**\n\nB' }]);
    assert.deepEqual(items.completed({ type: 'reasoning', id: 'r2', summary: [], content: ['raw'] }), [{ type: 'thinking', text: 'raw' }]);
    assert.deepEqual(items.completed({ type: 'reasoning', id: 'r3', summary: [], content: [] }), []);
    assert.deepEqual(items.completed({ type: 'plan', id: 'pl', text: '1. Read\n2. Write' }), [
      { type: 'tool_call', callId: 'pl', tool: 'plan', action: 'plan', summary: '1. Read', input: { text: '1. Read\n2. Write' } },
      { type: 'tool_result', callId: 'pl', isError: false },
    ]);

    const mcp = { type: 'mcpToolCall', id: 'x1', server: 'docs', tool: 'search', status: 'inProgress', arguments: { q: 'hooks' }, result: null, error: null };
    assert.deepEqual(items.started(mcp), [{ type: 'tool_call', callId: 'x1', tool: 'docs/search', action: 'other', summary: 'docs/search', input: { q: 'hooks' } }]);
    assert.deepEqual(items.completed({ ...mcp, status: 'completed', result: { content: [{ type: 'text', text: 'found 2' }, { type: 'image', data: '' }], structuredContent: null } }), [
      { type: 'tool_result', callId: 'x1', isError: false, output: 'found 2' },
    ]);
    assert.deepEqual(items.completed({ ...mcp, id: 'x2', status: 'failed', error: { message: 'server gone' } }).at(-1), { type: 'tool_result', callId: 'x2', isError: true, output: 'server gone' });

    assert.deepEqual(items.started({ type: 'webSearch', id: 'w1', query: '', action: null }), [], 'a search is shown once its query is known');
    assert.deepEqual(items.completed({ type: 'webSearch', id: 'w1', query: 'node 24 release', action: { type: 'search', query: 'node 24 release' } }), [
      { type: 'tool_call', callId: 'w1', tool: 'webSearch', action: 'search', summary: 'node 24 release', input: { query: 'node 24 release', action: { type: 'search', query: 'node 24 release' } } },
      { type: 'tool_result', callId: 'w1', isError: false },
    ]);
    const [page] = items.completed({ type: 'webSearch', id: 'w2', query: '', action: { type: 'openPage', url: 'https://nodejs.org/en' } });
    assert.deepEqual(page?.type === 'tool_call' && [page.action, page.summary], ['web_fetch', 'https://nodejs.org/en']);
  });

  it('turns plan updates into todo calls with their own ids, and ignores items that are not shown', () => {
    const items = new CodexItems([ROOT]);
    const plan = [{ step: 'a', status: 'completed' }, { step: 'b', status: 'pending' }];
    assert.deepEqual(items.planUpdated({ threadId: 't', turnId: 'u', explanation: 'first', plan }), [
      { type: 'tool_call', callId: 'u:plan:1', tool: 'update_plan', action: 'todo', summary: '1 of 2 steps completed', input: { explanation: 'first', plan } },
      { type: 'tool_result', callId: 'u:plan:1', isError: false },
    ]);
    items.planUpdated({ turnId: 'u', plan: [] });
    const [third] = items.planUpdated({ turnId: 'u', plan: [] });
    assert.equal(third?.type === 'tool_call' && third.callId, 'u:plan:3');
    assert.deepEqual(items.started({ type: 'userMessage', id: 'um', content: [] }), []);
    assert.deepEqual(items.completed({ type: 'userMessage', id: 'um', content: [] }), []);
    assert.deepEqual(items.completed({ type: 'contextCompaction', id: 'cc' }), []);
    assert.deepEqual(items.completed({ type: 'agentMessage', text: 'no id' }), []);
  });
});
