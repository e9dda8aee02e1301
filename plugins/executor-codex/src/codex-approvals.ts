import { isRecord, matchingChoice, relativeToWorktree, shortLine, stringAt, stringsAt, type ApprovalChoice, type ApprovalDecision, type ApprovalRequest, type JsonRecord } from '@forge-core/sdk';

/**
 * Codex's approval requests (server→client JSON-RPC requests) as the host's approvals, and the
 * host's decisions as codex's answers. Codex's own choices travel with the request, so an
 * answer picks the matching one: accept, accept for the session, or decline. A v2 "reject
 * always" declines too: the host's own rule declines the later requests, whereas codex's
 * `cancel` would end the turn. The legacy protocol's `abort` still stops the turn.
 */

export type ApprovalTool = 'commandExecution' | 'fileChange';

export interface CodexApproval {
  request: ApprovalRequest & { tool: ApprovalTool };
  /** The response's `result` for a decision, and whether that answer makes codex stop the turn. */
  answer(decision: ApprovalDecision): { result: unknown; stopsTurn: boolean };
}

/** The v2 decisions (item/…/requestApproval): a "reject always" picks `decline`. */
const V2_CHOICES: readonly ApprovalChoice[] = [
  { id: 'accept', label: 'Allow once', kind: 'allow_once' },
  { id: 'acceptForSession', label: 'Allow for the rest of the session', kind: 'allow_always' },
  { id: 'decline', label: 'Decline', kind: 'reject_once' },
];

/** The legacy decisions (execCommandApproval, applyPatchApproval: ReviewDecision). */
const LEGACY_CHOICES: readonly ApprovalChoice[] = [
  { id: 'approved', label: 'Allow once', kind: 'allow_once' },
  { id: 'approved_for_session', label: 'Allow for the rest of the session', kind: 'allow_always' },
  { id: 'denied', label: 'Decline', kind: 'reject_once' },
  { id: 'abort', label: 'Decline and stop the turn', kind: 'reject_always' },
];

const DENIED_BY_DEFAULT = 'Declined through Forge.';

/** The choice a decision picked: the one the host matched, else the one of the same outcome and scope, else of the same outcome. */
function chosen(choices: readonly ApprovalChoice[], decision: ApprovalDecision): ApprovalChoice {
  return choices.find((choice) => choice.id === decision.choiceId) ?? (matchingChoice(choices, decision.outcome, decision.scope) as ApprovalChoice);
}

function v2Answer(decision: ApprovalDecision) {
  return { result: { decision: chosen(V2_CHOICES, decision).id }, stopsTurn: false };
}

function legacyAnswer(decision: ApprovalDecision) {
  const choice = chosen(LEGACY_CHOICES, decision);
  const value = choice.id === 'denied' ? { denied: { rejection: decision.reason ?? DENIED_BY_DEFAULT } } : choice.id;
  return { result: { decision: value }, stopsTurn: choice.id === 'abort' };
}

function commandApproval(command: string, cwd: string | undefined, reason: string | undefined, callId: string | undefined, legacy: boolean): CodexApproval {
  return {
    request: {
      tool: 'commandExecution',
      input: { command, ...(cwd === undefined ? {} : { cwd }), ...(reason === undefined ? {} : { reason }) },
      ...(callId === undefined ? {} : { callId }),
      summary: shortLine(command),
      choices: legacy ? LEGACY_CHOICES : V2_CHOICES,
    },
    answer: legacy ? legacyAnswer : v2Answer,
  };
}

function fileChangeApproval(paths: readonly string[], reason: string | undefined, callId: string | undefined, legacy: boolean): CodexApproval {
  return {
    request: {
      tool: 'fileChange',
      input: { paths, ...(reason === undefined ? {} : { reason }) },
      ...(callId === undefined ? {} : { callId }),
      summary: paths.length > 0 ? `Edit ${paths.join(', ')}` : 'Apply a patch',
      choices: legacy ? LEGACY_CHOICES : V2_CHOICES,
    },
    answer: legacy ? legacyAnswer : v2Answer,
  };
}

/**
 * The approval a codex request asks for, or undefined for a request that is not one. A v2 file
 * change request names only its item: the paths come from that item, seen in item/started.
 */
export function codexApproval(method: string, params: JsonRecord, pathsOfItem: (itemId: string) => readonly string[], roots: readonly string[]): CodexApproval | undefined {
  const reason = stringAt(params, 'reason');
  switch (method) {
    case 'item/commandExecution/requestApproval':
      return commandApproval(stringAt(params, 'command') ?? '(a command)', stringAt(params, 'cwd'), reason, stringAt(params, 'itemId'), false);
    case 'item/fileChange/requestApproval': {
      const itemId = stringAt(params, 'itemId');
      return fileChangeApproval(itemId === undefined ? [] : pathsOfItem(itemId), reason, itemId, false);
    }
    case 'execCommandApproval':
      return commandApproval(stringsAt(params, 'command').join(' ') || '(a command)', stringAt(params, 'cwd'), reason, stringAt(params, 'callId'), true);
    case 'applyPatchApproval': {
      const changes = params['fileChanges'];
      const paths = isRecord(changes) ? Object.keys(changes).map((file) => relativeToWorktree(file, roots)) : [];
      return fileChangeApproval(paths, reason, stringAt(params, 'callId'), true);
    }
    default:
      return undefined;
  }
}
