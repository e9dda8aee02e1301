import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts: two real runs of amp 0.0.1790142911-g7618fb offline (its login prompt, an
// unreachable server) and three written from Amp's documented stream-json; see transcripts/README.md.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
