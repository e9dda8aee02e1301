import { executorConformance } from '@forge-core/sdk/testing';
import pack from '../src/index.ts';

// Transcripts of `cursor-agent -p --output-format stream-json`, written from Cursor's output-format
// reference; transcripts/README.md names the document and the CLI build each one follows.
executorConformance({ pack, packageJson: new URL('../package.json', import.meta.url), transcripts: new URL('./transcripts/', import.meta.url) });
