// @ts-check
import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.js';

// Each transcripts/<name>.jsonl is what bin/minimal-agent.js printed for the prompt in <name>.expected.json.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
