// Loaded with `node --import` before the MCP conformance suite on Node 20. The suite imports
// `globSync` from 'fs', which Node has only from 22 on; its server runs never call it (only its
// tier report does), so 'fs' is resolved to node:fs plus a globSync that says so. Nothing is
// changed on Node 22 and later.
import fs from 'node:fs';
import { register } from 'node:module';

if (typeof fs.globSync !== 'function') {
  const withGlobSync = `
    export * from 'node:fs';
    export { default } from 'node:fs';
    export function globSync() {
      throw new Error('fs.globSync needs Node 22; the conformance server runs do not use it');
    }`;
  const shim = `data:text/javascript,${encodeURIComponent(withGlobSync)}`;
  const hooks = `
    export async function resolve(specifier, context, next) {
      if ((specifier === 'fs' || specifier === 'node:fs') && !context.parentURL?.startsWith('data:')) return { url: ${JSON.stringify(shim)}, shortCircuit: true };
      return next(specifier, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
