// Code a deployment may never use, loaded the first time it is needed and then kept: the process
// starts smaller, and a library that fails to load fails the request that needed it.

/** `load` runs on the first call only; every call gets its promise. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
