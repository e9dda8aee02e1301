import assert from 'node:assert/strict';
import type { ApprovalDecision } from '@forge-core/sdk';
import { codexApproval } from '../src/codex-approvals.ts';

const ROOTS = ['/work/tree'];
const noPaths = () => [];

function decided(outcome: ApprovalDecision['outcome'], scope: ApprovalDecision['scope'], extra: Partial<ApprovalDecision> = {}): ApprovalDecision {
  return { outcome, scope, by: 'user', ...extra };
}

describe('codex approvals', () => {
  it('turns a v2 command approval into a request naming the command, its item and codex\'s four choices', () => {
    const approval = codexApproval('item/commandExecution/requestApproval', { itemId: 'call_1', command: "/bin/bash -lc 'npm test'", cwd: '/work/tree', reason: 'needs network' }, noPaths, ROOTS);
    assert.deepEqual(approval?.request, {
      tool: 'commandExecution',
      input: { command: "/bin/bash -lc 'npm test'", cwd: '/work/tree', reason: 'needs network' },
      callId: 'call_1',
      summary: "/bin/bash -lc 'npm test'",
      choices: [
        { id: 'accept', label: 'Allow once', kind: 'allow_once' },
        { id: 'acceptForSession', label: 'Allow for the rest of the session', kind: 'allow_always' },
        { id: 'decline', label: 'Decline', kind: 'reject_once' },
      ],
    });
  });

  it('answers v2 requests with the decision of the chosen kind', () => {
    const approval = codexApproval('item/fileChange/requestApproval', { itemId: 'call_2' }, noPaths, ROOTS);
    assert.ok(approval !== undefined);
    assert.deepEqual(approval.answer(decided('approved', 'once')), { result: { decision: 'accept' }, stopsTurn: false });
    assert.deepEqual(approval.answer(decided('approved', 'always')), { result: { decision: 'acceptForSession' }, stopsTurn: false });
    assert.deepEqual(approval.answer(decided('denied', 'once', { reason: 'no' })), { result: { decision: 'decline' }, stopsTurn: false });
    // The host's "always" rule declines the later requests; codex's cancel would end the turn.
    assert.deepEqual(approval.answer(decided('denied', 'always')), { result: { decision: 'decline' }, stopsTurn: false });
    // The host's matched choice wins over outcome and scope.
    assert.deepEqual(approval.answer(decided('approved', 'once', { choiceId: 'acceptForSession' })), { result: { decision: 'acceptForSession' }, stopsTurn: false });
    // A stopped run's denial declines once: codex must not wait, and nothing more is refused for it.
    assert.deepEqual(approval.answer({ outcome: 'denied', scope: 'once', by: 'cancelled' }), { result: { decision: 'decline' }, stopsTurn: false });
  });

  it('names the files of a v2 file change from its item, seen when it started', () => {
    const approval = codexApproval('item/fileChange/requestApproval', { itemId: 'call_3', reason: 'outside the workspace' }, (itemId) => (itemId === 'call_3' ? ['src/a.ts', 'README.md'] : []), ROOTS);
    assert.deepEqual(approval?.request.input, { paths: ['src/a.ts', 'README.md'], reason: 'outside the workspace' });
    assert.equal(approval?.request.summary, 'Edit src/a.ts, README.md');
    assert.equal(approval?.request.callId, 'call_3');
  });

  it('maps the legacy execCommandApproval and applyPatchApproval to ReviewDecision answers', () => {
    const exec = codexApproval('execCommandApproval', { conversationId: 't', callId: 'c1', command: ['git', 'push'], cwd: '/work/tree', reason: null, parsedCmd: [] }, noPaths, ROOTS);
    assert.equal(exec?.request.tool, 'commandExecution');
    assert.equal(exec?.request.summary, 'git push');
    assert.deepEqual(exec?.request.choices?.map((choice) => choice.id), ['approved', 'approved_for_session', 'denied', 'abort']);
    assert.deepEqual(exec?.answer(decided('approved', 'once')).result, { decision: 'approved' });
    assert.deepEqual(exec?.answer(decided('approved', 'always')).result, { decision: 'approved_for_session' });
    assert.deepEqual(exec?.answer(decided('denied', 'once', { reason: 'Not on main.' })).result, { decision: { denied: { rejection: 'Not on main.' } } });
    assert.deepEqual(exec?.answer(decided('denied', 'always')), { result: { decision: 'abort' }, stopsTurn: true });

    const patch = codexApproval('applyPatchApproval', { conversationId: 't', callId: 'c2', fileChanges: { '/work/tree/a.txt': { type: 'add' }, '/elsewhere/b.txt': { type: 'delete' } }, reason: null, grantRoot: null }, noPaths, ROOTS);
    assert.equal(patch?.request.tool, 'fileChange');
    assert.deepEqual(patch?.request.input, { paths: ['a.txt', '/elsewhere/b.txt'] });
    assert.deepEqual(patch?.answer(decided('denied', 'once')).result, { decision: { denied: { rejection: 'Declined through Forge.' } } });
  });

  it('is undefined for requests that are not approvals', () => {
    for (const method of ['item/tool/requestUserInput', 'mcpServer/elicitation/request', 'item/permissions/requestApproval', 'item/tool/call', 'account/chatgptAuthTokens/refresh']) {
      assert.equal(codexApproval(method, {}, noPaths, ROOTS), undefined, method);
    }
  });
});
