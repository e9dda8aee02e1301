/**
 * `@forge-core/sdk/process`: the host's process layer. The server runs every process a pack
 * spawns through `HostProcess`, and the conformance kit replays transcripts through the same
 * class, so what a pack is tested against is what it gets in production.
 */
export { HostProcess, assertOneLine, type HostSpawnOptions } from './host-process.ts';
export { LineSplitter, MAX_LINE_BYTES } from './line-splitter.ts';
export { runCommand } from './run-command.ts';
export { Mailbox } from './mailbox.ts';
