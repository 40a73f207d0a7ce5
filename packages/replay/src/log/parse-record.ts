import type { LogLineType, LogRecord, ParsedLine, Platform } from './log-record';
import { parseTimestamp } from './timestamp';

const TYPES: readonly string[] = ['event', 'foreground', 'background', 'launch'] satisfies LogLineType[];
/** The attributes of a line that has none (lifecycle lines, events without attributes). */
export const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Checks one log line given as fields (a parsed NDJSON object, or a CSV row by column name) and
 * returns the record, or what is wrong with it. `text` says the values came from CSV cells: then
 * every value is a string, an empty cell means "not given", `affectsSession` is `true`/`false`,
 * `attributes` is JSON text and a `userId` of `null` means logged out.
 */
export function parseRecord(fields: unknown, line: number, text = false): ParsedLine {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    return bad(line, `a line must be a JSON object, got ${Array.isArray(fields) ? 'an array' : fields === null ? 'null' : typeof fields}`);
  }
  const f = fields as Record<string, unknown>;
  const given = (v: unknown): boolean => v !== undefined && !(text && v === '');

  const deviceId = f.deviceId;
  if (typeof deviceId !== 'string' || deviceId.length === 0) return bad(line, `deviceId must be a non-empty string, got ${shown(deviceId)}`);

  if (!given(f.timestamp)) return bad(line, 'timestamp is missing');
  const t = parseTimestamp(f.timestamp);
  if (typeof t === 'string') return bad(line, t);

  const type = f.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) return bad(line, `type must be one of ${TYPES.join(', ')}, got ${shown(type)}`);

  let name: string | null = null;
  let attributes = NO_ATTRIBUTES;
  let affectsSession = true;
  if (type === 'event') {
    if (typeof f.name !== 'string' || f.name.length === 0) return bad(line, `an event needs a name (a non-empty string), got ${shown(f.name)}`);
    name = f.name;
    if (given(f.attributes)) {
      let a = f.attributes;
      if (text) {
        try {
          a = JSON.parse(a as string);
        } catch {
          return bad(line, `attributes must be a JSON object, got ${shown(a)}`);
        }
      }
      if (typeof a !== 'object' || a === null || Array.isArray(a)) return bad(line, `attributes must be an object, got ${shown(a)}`);
      attributes = a as Record<string, unknown>;
    }
    if (given(f.affectsSession)) {
      const v = text ? (f.affectsSession === 'true' ? true : f.affectsSession === 'false' ? false : f.affectsSession) : f.affectsSession;
      if (typeof v !== 'boolean') return bad(line, `affectsSession must be true or false, got ${shown(f.affectsSession)}`);
      affectsSession = v;
    }
  } else if (given(f.affectsSession) && f.affectsSession !== true && !(text && f.affectsSession === 'true')) {
    // As on events: in NDJSON a boolean, the text "true" only in a CSV cell.
    return bad(
      line,
      f.affectsSession === (text ? 'false' : false)
        ? `affectsSession: false applies to events only, not to a ${type} line`
        : `affectsSession must be true or false, got ${shown(f.affectsSession)}`,
    );
  }

  let platform: Platform | null = null;
  if (given(f.platform)) {
    if (f.platform !== 'mobile' && f.platform !== 'web') return bad(line, `platform must be mobile or web, got ${shown(f.platform)}`);
    platform = f.platform;
  }

  let userId: string | null | undefined;
  if ('userId' in f && given(f.userId)) {
    const u = text && f.userId === 'null' ? null : f.userId;
    if (u !== null && (typeof u !== 'string' || u.length === 0)) return bad(line, `userId must be a non-empty string or null (logged out), got ${shown(u)}`);
    userId = u;
  }

  const record: LogRecord = { line, deviceId, t, type: type as LogLineType, name, attributes, affectsSession, platform, userId };
  return { ok: true, record };
}

function bad(line: number, problem: string): ParsedLine {
  return { ok: false, error: { line, problem } };
}

/** A short, safe rendering of a value for a message. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}
