#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=2
// The server runs from its TypeScript sources (no build step); tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
