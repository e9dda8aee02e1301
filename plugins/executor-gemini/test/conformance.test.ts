import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts of `gemini --acp` (Gemini CLI 0.61.0), one per flow the executor must handle;
// transcripts/README.md says what each one is and what it follows.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
