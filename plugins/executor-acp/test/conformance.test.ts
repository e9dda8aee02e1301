import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts of ACP agents (claude-agent-acp 0.101.0 as probed offline; a goose-like agent written from
// the ACP v1 schema); transcripts/README.md says what each one is and what it follows.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
