import { ForgeError, describeValue } from '@forge-core/sdk';

/** Where a call into a pack goes: the package, the contribution inside it and the hook called. */
export interface HookSite {
  plugin: string;
  contribution: string;
  hook: string;
}

export const describeSite = (site: HookSite) => `${site.plugin} ${site.contribution}.${site.hook}()`;

/**
 * Calls one hook of a pack and gives back its value, or a ForgeError that names the plugin and
 * the hook and keeps the pack's own code: whatever the pack throws (an Error, a string,
 * nothing) and however long it hangs. On timeout the hook's signal is aborted so a
 * well-behaved pack stops its work; one that ignores it is left behind, never waited for.
 */
export async function invokeHook<T>(site: HookSite, timeoutMs: number, call: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new ForgeError('FORGE_PLUGIN_HOOK_TIMEOUT', `${describeSite(site)} did not answer within ${timeoutMs} ms; did it forget to resolve or to await?`, {
          ...site,
          timeoutMs,
        }),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => call(controller.signal)), timedOut]);
  } catch (error) {
    throw error instanceof ForgeError && error.code === 'FORGE_PLUGIN_HOOK_TIMEOUT' ? error : wrapPluginError(site, error);
  } finally {
    clearTimeout(timer);
  }
}

/** A pack's error as FORGE_PLUGIN_HOOK_FAILED, its own code kept as `pluginCode`. */
export function wrapPluginError(site: HookSite, error: unknown): ForgeError {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : `a non-error value (${describeValue(error)})`;
  const pluginCode = (error as { code?: unknown } | null)?.code;
  return new ForgeError(
    'FORGE_PLUGIN_HOOK_FAILED',
    `${describeSite(site)} failed: ${message}`,
    { ...site, ...(typeof pluginCode === 'string' ? { pluginCode } : {}) },
    { cause: error },
  );
}
