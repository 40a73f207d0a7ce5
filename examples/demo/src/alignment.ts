/**
 * Compares what each vendor received with the canonical sessions: per session (present, started,
 * ended, same event count, same length, same attributes) and in total (sessions, events, events
 * outside sessions, total session length). Any difference is a problem; the demo fails on one.
 */
import type { SessionEndRecord } from '@sessionhub/core';
import type { CanonicalLife, CanonicalSession } from './canonical-life';
import type { VendorSession, VendorView } from './vendor-views';

export const VENDORS = ['braze', 'snowplow', 'clevertap'] as const;
export type Vendor = (typeof VENDORS)[number];

/** Totals of one column of the alignment table. */
export interface Totals {
  readonly sessions: number;
  readonly events: number;
  readonly eventsOutsideSessions: number;
  /** Sum of the lengths of the ended sessions, ms. */
  readonly lengthMs: number;
}

/** One canonical session beside its vendor sessions. */
export interface SessionAlignment {
  readonly canonical: CanonicalSession;
  readonly vendors: Readonly<Record<Vendor, VendorSession | null>>;
  readonly problems: string[];
}

export interface Alignment {
  readonly sessions: SessionAlignment[];
  readonly totals: Readonly<Record<'canonical' | Vendor, Totals>>;
  /** Every difference, session problems included. */
  readonly problems: string[];
  readonly ok: boolean;
}

const NAMES: Record<Vendor, string> = { braze: 'Braze', snowplow: 'Snowplow', clevertap: 'CleverTap' };

/** When CleverTap got a session's first event: its `App Launched` when an app start opened it, else its first event. */
const firstAtCleverTap = ({ start, end }: CanonicalSession): number | null =>
  start.trigger === 'launch' || start.trigger === 'foreground' ? start.startTime : (end?.firstEventTime ?? null);

/** CleverTap's Session Length, ms: its first event to its last; null when CleverTap has no session for it. */
export function cleverTapLength(session: CanonicalSession): number | null {
  const first = firstAtCleverTap(session);
  return first === null ? null : Math.max(first, session.end?.lastEventTime ?? first) - first;
}

/** The session length a vendor is told: SessionHub's, except CleverTap's Session Length. */
export const expectedLength = (vendor: Vendor, session: CanonicalSession, end: SessionEndRecord): number =>
  vendor === 'clevertap' ? (cleverTapLength(session) ?? 0) : end.duration;
/** CleverTap has a session once it has an item of it. */
const hasSessionAt = (vendor: Vendor, session: CanonicalSession): boolean => vendor !== 'clevertap' || firstAtCleverTap(session) !== null;

/** JSON with sorted keys, so attribute sets compare regardless of order. */
const canonicalJson = (value: Record<string, unknown> | null | undefined): string =>
  JSON.stringify(Object.fromEntries(Object.entries(value ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

export function align(life: CanonicalLife, views: Readonly<Record<Vendor, VendorView>>): Alignment {
  const problems: string[] = [];
  const matched: Record<Vendor, Set<VendorSession>> = { braze: new Set(), snowplow: new Set(), clevertap: new Set() };
  let clevertapPosition = 0;
  const sessions = life.sessions.map((canonical): SessionAlignment => {
    const id = canonical.start.sessionId;
    const vendors: Record<Vendor, VendorSession | null> = {
      braze: views.braze.sessions.find((s) => s.id === id) ?? null,
      snowplow: views.snowplow.sessions.find((s) => s.id === id) ?? null,
      // CleverTap's ids are seconds, not the canonical id: its sessions (those with events) pair up in order.
      clevertap: hasSessionAt('clevertap', canonical) ? (views.clevertap.sessions[clevertapPosition++] ?? null) : null,
    };
    const own: string[] = [];
    for (const vendor of VENDORS) {
      const got = vendors[vendor];
      const name = `${NAMES[vendor]}, session ${canonical.start.sessionIndex}`;
      if (!hasSessionAt(vendor, canonical)) continue;
      if (!got) {
        own.push(`${name}: missing`);
        continue;
      }
      matched[vendor].add(got);
      if (vendor !== 'clevertap' && !got.started) own.push(`${name}: no session start arrived`);
      if (got.events !== canonical.events) own.push(`${name}: ${got.events} events, canonical ${canonical.events}`);
      const end = canonical.end;
      if (end === null) {
        own.push(`session ${canonical.start.sessionIndex} never ended`);
        continue;
      }
      if (!got.ended) own.push(`${name}: no session end arrived`);
      else if (got.lengthMs !== expectedLength(vendor, canonical, end)) own.push(`${name}: length ${got.lengthMs} ms, canonical ${expectedLength(vendor, canonical, end)} ms`);
      if (got.ended && canonicalJson(got.attributes) !== canonicalJson(end.attributes)) {
        own.push(`${name}: attributes ${canonicalJson(got.attributes)}, canonical ${canonicalJson(end.attributes)}`);
      }
    }
    problems.push(...own);
    return { canonical, vendors, problems: own };
  });
  for (const vendor of VENDORS) {
    const view = views[vendor];
    const extra = view.sessions.filter((s) => !matched[vendor].has(s));
    if (extra.length) problems.push(`${NAMES[vendor]}: ${extra.length} session(s) SessionHub never had (${extra.map((s) => s.id).join(', ')})`);
    if (view.accepted !== view.requests) problems.push(`${NAMES[vendor]}: ${view.requests - view.accepted} request(s) not taken in`);
    problems.push(...view.problems.map((p) => `${NAMES[vendor]}: ${p}`));
  }
  const canonicalTotals: Totals = {
    sessions: life.sessions.length,
    events: life.sessions.reduce((n, s) => n + s.events, 0),
    eventsOutsideSessions: life.eventsOutsideSessions,
    lengthMs: life.sessions.reduce((n, s) => n + (s.end?.duration ?? 0), 0),
  };
  const vendorTotals = (view: VendorView): Totals => ({
    sessions: view.sessions.length,
    events: view.sessions.reduce((n, s) => n + s.events, 0),
    eventsOutsideSessions: view.eventsOutsideSessions,
    lengthMs: view.sessions.reduce((n, s) => n + (s.ended ? (s.lengthMs ?? 0) : 0), 0),
  });
  const totals = {
    canonical: canonicalTotals,
    braze: vendorTotals(views.braze),
    snowplow: vendorTotals(views.snowplow),
    clevertap: vendorTotals(views.clevertap),
  };
  for (const vendor of VENDORS) {
    const counted = life.sessions.filter((s) => hasSessionAt(vendor, s));
    const expected: Totals = {
      ...canonicalTotals,
      sessions: counted.length,
      lengthMs: counted.reduce((n, s) => n + (s.end ? expectedLength(vendor, s, s.end) : 0), 0),
    };
    for (const key of ['sessions', 'events', 'eventsOutsideSessions', 'lengthMs'] as const) {
      if (totals[vendor][key] !== expected[key]) problems.push(`${NAMES[vendor]} total ${key}: ${totals[vendor][key]}, canonical ${expected[key]}`);
    }
  }
  return { sessions, totals, problems: [...new Set(problems)], ok: problems.length === 0 };
}
