export { SDK_CONTRACT_VERSION, CONTRACT_MAJOR } from './version.ts';
export * from './events.ts';
export * from './options.ts';
export * from './context.ts';
export * from './executor.ts';
export * from './git-provider.ts';
export * from './pack.ts';
export * from './errors.ts';
