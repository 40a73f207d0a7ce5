import type { SafeStorage } from './storage/resilient-storage';

/**
 * The user's opt-out choice, persisted under `<namespace>:optOut` as "1" (opted out) or "0" (opted
 * in) once `hub.setOptOut` was called. It is the one key kept by `hub.clearStoredData()`: a deletion
 * must not opt the user back in.
 */
export const optOutKey = (namespace: string): string => `${namespace}:optOut`;

/** The persisted choice, or `fallback` (the `optOut` option) when the user never made one. */
export async function readOptOut(storage: SafeStorage, key: string, fallback: boolean): Promise<boolean> {
  const stored = await storage.get(key);
  return stored === '1' ? true : stored === '0' ? false : fallback;
}
