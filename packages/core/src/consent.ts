/**
 * The user's opt-out choice, persisted under `<namespace>:optOut` as "1" (opted out) or "0" (opted
 * in) once `hub.setOptOut` was called. It is the one key kept by `hub.clearStoredData()`: a deletion
 * must not opt the user back in.
 */
export const optOutKey = (namespace: string): string => `${namespace}:optOut`;
