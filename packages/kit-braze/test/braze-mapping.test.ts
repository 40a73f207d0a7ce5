import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { customEvent, sessionAttributesEvent, sessionEndEvent, sessionStartEvent } from '@sessionhub/kit-braze';
import { eventRecord, sessionEndRecord, sessionStartRecord } from './arbitraries';

const noWarning = (m: string): never => {
  throw new Error(`unexpected warning: ${m}`);
};
/** Attributes as Braze properties: null values are left out (nothing to send), the rest as is. */
const withoutNulls = (attributes: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null));

describe('mapping: canonical records -> Braze events', () => {
  it('session start -> ss with data {} at the start time (seconds), its session id and user id', () => {
    fc.assert(
      fc.property(sessionStartRecord, (r) => {
        const e = sessionStartEvent(r);
        expect(e).toEqual({ name: 'ss', time: r.startTime / 1000, data: {}, session_id: r.sessionId, ...(r.userId !== null ? { user_id: r.userId } : {}) });
        expect('user_id' in e).toBe(r.userId !== null);
      }),
    );
  });

  it('session end -> se at the end time with d = the canonical duration in seconds', () => {
    fc.assert(
      fc.property(sessionEndRecord, (r) => {
        const e = sessionEndEvent(r);
        expect(e).toEqual({ name: 'se', time: r.endTime / 1000, data: { d: r.duration / 1000 }, session_id: r.sessionId, ...(r.userId !== null ? { user_id: r.userId } : {}) });
        // Seconds with millisecond precision: back to the same ms.
        expect(Math.round(e.time * 1000)).toBe(r.endTime);
        expect(Math.round(e.data.d * 1000)).toBe(r.duration);
      }),
    );
  });

  it('hub event -> ce { n, p } at its time; no session_id for an event outside any session', () => {
    fc.assert(
      fc.property(eventRecord, (r) => {
        const e = customEvent(r, noWarning);
        expect(e).not.toBeNull();
        expect(JSON.parse(JSON.stringify(e))).toEqual({
          name: 'ce',
          time: r.timestamp / 1000,
          data: { n: r.name, p: withoutNulls(r.attributes) },
          ...(r.sessionId !== null ? { session_id: r.sessionId } : {}),
          ...(r.userId !== null ? { user_id: r.userId } : {}),
        });
      }),
    );
  });

  it('an event whose name Braze refuses is not mapped, with one warning', () => {
    fc.assert(
      fc.property(eventRecord, fc.string({ maxLength: 10 }), (r, suffix) => {
        const warnings: string[] = [];
        expect(customEvent({ ...r, name: `$${suffix}` }, (m) => warnings.push(m))).toBeNull();
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain('not sent to Braze');
      }),
    );
  });

  it('session attributes -> one ce named as configured at the end time, none when no attribute has a value to send', () => {
    fc.assert(
      fc.property(sessionEndRecord, (r) => {
        const e = sessionAttributesEvent(r, 'session_attributes', noWarning);
        if (Object.keys(withoutNulls(r.attributes)).length === 0) {
          expect(e).toBeNull();
          return;
        }
        expect(JSON.parse(JSON.stringify(e))).toEqual({
          name: 'ce',
          time: r.endTime / 1000,
          data: { n: 'session_attributes', p: withoutNulls(r.attributes) },
          session_id: r.sessionId,
          ...(r.userId !== null ? { user_id: r.userId } : {}),
        });
      }),
    );
  });
});
