/**
 * An adapter that is still being opened, usable already: each method call waits for it. The
 * service listens for devices and dashboards at once while the database opens and migrates;
 * early requests simply take a little longer. Only for interfaces whose methods are all async.
 */
export function deferred<T extends object>(target: Promise<T>): T {
  // A failure to open is the opener's to report; here it only reaches the callers that wait.
  target.catch(() => undefined);
  return new Proxy({} as T, {
    get(_empty, name) {
      return async (...args: unknown[]) => {
        const resolved = (await target) as Record<string | symbol, (...a: unknown[]) => unknown>;
        return resolved[name](...args);
      };
    },
  });
}
