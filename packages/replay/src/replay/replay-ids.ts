import { v5 as uuidv5 } from 'uuid';

/** The namespace of replay ids (a fixed random UUID): the same log always gives the same ids. */
const NAMESPACE = '6b1c5a3e-2f0d-4c47-9a8e-3d5b7f1e2c90';

/**
 * The id of the `index`-th session of a device: a UUID v5 of both, so a replay (whole or by
 * partition, first run or resumed) gives every session the same id, and a kit's vendor dedupes a
 * session sent twice.
 */
export function replaySessionId(deviceId: string, index: number): string {
  return uuidv5(`${deviceId}\nsession\n${index}`, NAMESPACE);
}

/** The id of the `ordinal`-th line (1-based) of a device's log, as a UUID v5 (see {@link replaySessionId}). */
export function replayEventId(deviceId: string, ordinal: number): string {
  return uuidv5(`${deviceId}\nline\n${ordinal}`, NAMESPACE);
}
