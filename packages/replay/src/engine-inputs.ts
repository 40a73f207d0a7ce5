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
 */
export function engineInputs(line: LogRecord, currentUser: string | null, eventId: string): EngineInput[] {
  const input = engineInput(line, eventId);
  return changesUser(line, currentUser) ? [{ type: 'setUser', t: line.t, userId: line.userId as string | null }, input] : [input];
}
