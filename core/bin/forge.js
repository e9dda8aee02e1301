#!/usr/bin/env node
// The server runs from its TypeScript sources (no build step); tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
