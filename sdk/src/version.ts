/**
 * The version of the plugin contract this SDK describes. It changes only when the contract
 * changes: a major for a breaking change, a minor for an additive one. Packs declare the range
 * they were built against in `package.json#forge.sdk`; the host checks it before importing them.
 */
export const SDK_CONTRACT_VERSION = '1.3.0';

/** The integer brand every exported definition carries, so a host can adapt older shapes. */
export const CONTRACT_MAJOR = 1;
