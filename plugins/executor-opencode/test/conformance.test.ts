import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts of `opencode acp` (OpenCode 1.18.33), one per flow the executor must handle;
// transcripts/README.md says what each one is and what it follows.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
