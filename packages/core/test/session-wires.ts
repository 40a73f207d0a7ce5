/**
 * What each vendor took in, as its wire says: every session's starts and ends, and the app's events
 * in the order received. For kits set up as the storage tests set them up: Snowplow with a catch-all
 * schema and session events whose schemas name `session_start` and `session_end`, CleverTap with
 * `sessionConcluded` (CleverTap has no start event: a session is known by its `s`, its start in seconds).
 */
import type { CollectedRequest } from '@sessionhub/testing';

export type Vendor = 'braze' | 'snowplow' | 'clevertap';
export interface Wire {
  /** Session id (CleverTap: none, it has no start event) → starts, ends (CleverTap: `Session Concluded` by its `s`). */
  readonly starts: Map<string, number>;
  readonly ends: Map<string, number>;
  /** The app's events by name, in the order received. */
  readonly events: string[];
}

/** What each vendor took in. */
export function wires(requests: readonly CollectedRequest[]): Record<Vendor, Wire> {
  const w = (): Wire => ({ starts: new Map(), ends: new Map(), events: [] });
  const out = { braze: w(), snowplow: w(), clevertap: w() };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const r of requests) {
    if (r.vendor === 'braze') {
      for (const e of (r.body as { events: Array<{ name: string; session_id?: string; data: { n?: string } }> }).events) {
        if (e.name === 'ss') bump(out.braze.starts, e.session_id!);
        else if (e.name === 'se') bump(out.braze.ends, e.session_id!);
        else out.braze.events.push(e.data.n!);
      }
    } else if (r.vendor === 'snowplow') {
      for (const p of (r.body as { data: Array<{ e: string; ue_pr?: string }> }).data) {
        if (p.e !== 'ue' || !p.ue_pr) continue;
        const inner = (JSON.parse(p.ue_pr) as { data: { schema: string; data: { sessionId?: string; name?: string } } }).data;
        if (inner.schema.includes('/session_start/')) bump(out.snowplow.starts, inner.data.sessionId!);
        else if (inner.schema.includes('/session_end/')) bump(out.snowplow.ends, inner.data.sessionId!);
        else out.snowplow.events.push(inner.data.name!);
      }
    } else {
      for (const item of (r.body as Array<{ type: string; evtName?: string; s?: number }>).slice(1)) {
        if (item.type !== 'event' || item.evtName === 'App Launched') continue;
        if (item.evtName === 'Session Concluded') bump(out.clevertap.ends, String(item.s));
        else out.clevertap.events.push(item.evtName!);
      }
    }
  }
  return out;
}
