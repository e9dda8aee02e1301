/**
 * `@forge-core/executor-claude-code/stream`: what another pack may reuse to run a CLI that speaks
 * Claude Code's stream-json (the fake-agent pack's fake `claude` does, Amp does with tools of its
 * own): the session runner and the parser it is built on.
 */
export { runClaudeSession, type ClaudeInvocation, type ClaudeSessionOptions } from './run-claude-session.ts';
export { createClaudeStreamParser, MAX_LOG_TEXT_LENGTH, type ClaudeStreamParser, type ClaudeStreamParserOptions, type ParsedClaudeLine } from './parse-claude-stream.ts';
export type { ClaudeControlRequest } from './claude-control-request.ts';
export type { ToolCallDescriber, ToolCallMeaning } from './claude-tools.ts';
