import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts: text and JSON-lines output of CLIs shaped as README.md documents, and Claude Code
// stream-json; test/transcripts/README.md says which format each one follows.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
