import assert from 'node:assert/strict';
import type { ToolActionKind } from '@forge-core/sdk';
import { describeAmpToolCall } from '../src/amp-tools.ts';

const CWD = '/home/dev/shop';

describe("describeAmpToolCall: Amp's tools in Forge's terms", () => {
  const cases: [tool: string, input: Record<string, unknown>, action: ToolActionKind, summary: string | undefined, editedPath: string | undefined][] = [
    ['Read', { path: `${CWD}/src/a.ts`, read_range: [1, 40] }, 'file_read', 'src/a.ts', undefined],
    ['create_file', { path: `${CWD}/NOTES.md`, content: '# Notes\n' }, 'file_edit', 'NOTES.md', `${CWD}/NOTES.md`],
    ['edit_file', { path: `${CWD}/src/a.ts`, old_str: 'a', new_str: 'b' }, 'file_edit', 'src/a.ts', `${CWD}/src/a.ts`],
    ['undo_edit', { path: `${CWD}/src/a.ts` }, 'file_edit', 'src/a.ts', `${CWD}/src/a.ts`],
    ['Bash', { cmd: 'npm test\n&& npm run lint', cwd: CWD }, 'command', 'npm test', undefined],
    ['Grep', { pattern: 'TODO', path: `${CWD}/src` }, 'search', 'TODO in src', undefined],
    ['glob', { filePattern: '**/*.ts' }, 'search', '**/*.ts', undefined],
    ['finder', { query: 'where the cart total is computed' }, 'search', 'where the cart total is computed', undefined],
    ['web_search', { query: 'node test runner' }, 'web_fetch', 'node test runner', undefined],
    ['read_web_page', { url: 'https://ampcode.com/manual' }, 'web_fetch', 'https://ampcode.com/manual', undefined],
    ['todo_write', { todos: [{ id: '1', content: 'a', status: 'completed' }, { id: '2', content: 'b', status: 'todo' }] }, 'todo', '2 todos, 1 completed', undefined],
    ['Task', { prompt: 'Look around', description: 'Explore the repo' }, 'other', 'Explore the repo', undefined],
    ['oracle', { task: 'Review the plan' }, 'other', undefined, undefined],
    ['mcp__forge__list_tasks', {}, 'other', undefined, undefined],
  ];
  for (const [tool, input, action, summary, editedPath] of cases) {
    it(`${tool} is ${action}${summary === undefined ? '' : `, "${summary}"`}`, () => {
      const meaning = describeAmpToolCall(tool, input, [CWD]);
      assert.deepEqual(meaning, { action, ...(summary === undefined ? {} : { summary }), ...(editedPath === undefined ? {} : { editedPath }) });
    });
  }

  it("does not read Claude Code's field names into Amp's tools", () => {
    assert.deepEqual(describeAmpToolCall('Bash', { command: 'rm -rf /' }, [CWD]), { action: 'command' });
    assert.deepEqual(describeAmpToolCall('edit_file', { file_path: `${CWD}/a.ts` }, [CWD]), { action: 'file_edit' });
  });
});
