import type { EngineInput } from '@sessionhub/core';
import type { LogRecord } from './log/log-record';

/**
 * The engine inputs one log line stands for, in order: a `setUser` first when the line names a user
 * other than the current one (`userId` applies before the line), then the line itself. A `launch` is
 * an app launch in the foreground; the engine's `resumeOnRelaunch` decides what it does to a session
 * the previous run left open.
 */
export function engineInputs(line: LogRecord, currentUser: string | null, eventId: string): EngineInput[] {
  const t = line.t;
  let input: EngineInput;
  switch (line.type) {
    case 'event':
      input = { type: 'event', t, eventId, name: line.name!, attributes: line.attributes, affectsSession: line.affectsSession };
      break;
    case 'launch':
      input = { type: 'launch', t, foreground: true };
      break;
    default:
      input = { type: line.type, t };
  }
  return line.userId !== undefined && line.userId !== currentUser ? [{ type: 'setUser', t, userId: line.userId }, input] : [input];
}
