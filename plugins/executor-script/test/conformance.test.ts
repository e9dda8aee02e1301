import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts are what `/bin/sh -c <command>` printed when the command in each one's input was run.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
