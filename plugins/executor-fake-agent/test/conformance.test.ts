import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts: four real Claude Code recordings (also the claude-code pack's parser fixtures), and
// two of bin/fake-claude.mjs itself (scenarios success and fail), which is what this pack runs.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
