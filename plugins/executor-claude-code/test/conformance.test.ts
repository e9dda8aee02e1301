import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// test/transcripts/README.md says which Claude Code version or document each transcript follows.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
