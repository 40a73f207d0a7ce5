import type { EngineInput } from '@sessionhub/core';
import type { LogRecord } from './log/log-record';

/**
 * The engine input of a log line itself (without its user change): a `launch` is an app launch in
 * the foreground; the engine's `resumeOnRelaunch` decides what it does to a session the previous
 * run left open.
 */
export function engineInput(line: LogRecord, eventId: string): EngineInput {
  const t = line.t;
  switch (line.type) {
    case 'event':
      return { type: 'event', t, eventId, name: line.name!, attributes: line.attributes, affectsSession: line.affectsSession };
    case 'launch':
      return { type: 'launch', t, foreground: true };
    default:
      return { type: line.type, t };
  }
}

/** Whether a line changes the user: it names one (or null, logged out) other than `currentUser`. */
export const changesUser = (line: LogRecord, currentUser: string | null): boolean => line.userId !== undefined && line.userId !== currentUser;

/**
 * The engine inputs one log line stands for, in order: a `setUser` first when the line names a user
 * other than the current one (`userId` applies before the line), then the line itself.
 *
 * A `launch` that names another user is the app starting with that user: the launch first settles
 * the session the previous run left (ended at its last activity, reason `recovered`, or resumed),
 * starting none; then the user is set; then the launch starts the session in the foreground. (A
 * `setUser` before the launch ended the old session at the launch's time, as a change of user, and
 * the launch then ended the new user's session at once, empty.)
 */
export function engineInputs(line: LogRecord, currentUser: string | null, eventId: string): EngineInput[] {
  const input = engineInput(line, eventId);
  if (!changesUser(line, currentUser)) return [input];
  const setUser: EngineInput = { type: 'setUser', t: line.t, userId: line.userId as string | null };
  return line.type === 'launch' ? [{ type: 'launch', t: line.t, foreground: false }, setUser, input] : [setUser, input];
}
