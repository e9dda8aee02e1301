/**
 * `@forge-core/sdk/testing`: the conformance kit a pack author runs from mocha (or node:test).
 * It checks a pack the way the host will use it, replaying recorded CLI output and HTTP exchanges
 * instead of running agents or calling code hosts; and what a pack's own tests use, with fake
 * processes or real ones running a fake CLI end to end.
 */
export { executorConformance, type ExecutorConformanceOptions } from './executor-conformance.ts';
export { gitProviderConformance, type GitProviderConformanceOptions, type RemoteExpectation } from './git-provider-conformance.ts';
export { createFakeRunContext, type FakeRunContext, type FakeRunContextOptions } from './fake-run-context.ts';
export { createFakeDetectContext, type FakeDetectContext, type FakeDetectContextOptions, type RanCommand } from './fake-detect-context.ts';
export { createHostRunContext, hostProcessStarter, type HostProcessOptions, type HostRunContext, type HostRunContextOptions } from './host-run-context.ts';
export { collectEvents, eventsOfType, finalDone } from './collect-events.ts';
export { makeTempDir, type TempDir } from './temp-dir.ts';
export { createRecordingLogger } from './recording-logger.ts';
export { FakeProcess, type Recording, type SpawnCall } from './fake-process.ts';
export { FakeFetch, type RecordedExchange, type SentRequest } from './fake-fetch.ts';
export { loadTranscripts, type Transcript, type TranscriptExpectation, type TranscriptSource, type ExpectedEvent } from './transcripts.ts';
export { loadExchangeFixtures, type ExchangeFixture } from './exchanges.ts';
export type { TestFunctions } from './kit-options.ts';
