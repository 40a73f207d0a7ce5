/**
 * The conformance scenario, played through CleverTap's web SDK and through the kit, and both sides
 * normalized to the fields they share: per item its kind, name, data or identity, `pg`, and which
 * device id (`g`) and which session (`s`) it went under, as the order those first appeared in.
 */
import type { CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { Device, T0 } from '../harness';
import type { WebSdkRequest, WebStep } from './web-sdk-run';

/** Anonymous visit, events, login, a second user, log-out, inactivity past 20 minutes, a system event. */
export const STEPS: readonly WebStep[] = [
  { t: 'event', name: 'Product Viewed', data: { 'Product ID': 42 } },
  { t: 'event', name: 'Added To Cart', data: { Quantity: 1 } },
  { t: 'login', identity: 'user-1' },
  { t: 'event', name: 'Checkout' },
  { t: 'login', identity: 'user-2' },
  { t: 'event', name: 'As user-2' },
  { t: 'logout' },
  { t: 'event', name: 'Signed out' },
  { t: 'wait', ms: 25 * 60_000 }, // past 20 minutes after the web SDK's last ping, too
  { t: 'event', name: 'Came back' },
  { t: 'event', name: 'Notification Clicked', data: { campaign: 'spring' } },
  { t: 'event', name: 'After the system event' },
];

export const ACCOUNT_ID = 'W9R-486-4W5Z';
export const START = T0;

/** An item as both sides can be compared: the shared fields, plus what one side has beyond them. */
export interface Normalized {
  kind: string;
  name?: string;
  data?: Record<string, unknown>;
  identity?: string;
  pg: number;
  /** 1 for the first device id seen, 2 for the next, … */
  guid: number;
  /** 1 for the first session seen, 2 for the next, …; 0 outside a session. */
  session: number;
  /** Fields the item has beyond the shared ones (name: value). */
  extra: Record<string, unknown>;
}

const numbering = () => {
  const seen = new Map<unknown, number>();
  return (key: unknown) => seen.get(key) ?? (seen.set(key, seen.size + 1), seen.size);
};

/** The web SDK's requests as items (a request resent from the SDK's backup, same `rn`, counts once). */
export function normalizeWebSdk(requests: readonly WebSdkRequest[]): Normalized[] {
  const guid = numbering();
  const session = numbering();
  const done = new Set<string>();
  const out: Normalized[] = [];
  for (const r of requests) {
    const { type, evtName, evtData, profile, pg, g, s, id, af, ...extra } = r.payload as Record<string, unknown>;
    const key = `${r.query.rn}:${JSON.stringify(r.payload)}`;
    if (done.has(key)) continue;
    done.add(key);
    const kind = r.query.type === 'page' || r.query.type === 'ping' ? r.query.type : (type as string);
    const { Identity, ...profileExtra } = (profile ?? {}) as Record<string, unknown>;
    out.push({
      kind,
      ...(evtName !== undefined ? { name: evtName as string, data: evtData as Record<string, unknown> } : {}),
      ...(Identity !== undefined ? { identity: Identity as string } : {}),
      pg: pg as number,
      // Without a g (a first request, a sign-in switching profiles) the item goes under the guid CleverTap answers.
      guid: guid((g as string | undefined) ?? r.answeredGuid),
      session: session(s ?? r.answeredSession),
      extra: { ...extra, ...(Object.keys(profileExtra).length ? { profile: profileExtra } : {}), _af: af, _id: id },
    });
  }
  return out;
}

/** The kit's upload items as items. */
export function normalizeKit(items: readonly (CleverTapUploadItem & { g: string })[]): Normalized[] {
  const guid = numbering();
  const session = numbering();
  return items.map((item) => {
    const { type, g, s, pg, ...rest } = item as unknown as Record<string, unknown>;
    const { evtName, evtData, profile, ...extra } = rest;
    return {
      kind: type as string,
      ...(evtName !== undefined ? { name: evtName as string, data: { ...(evtData as object) } } : {}),
      ...(profile !== undefined ? { identity: (profile as { Identity: string }).Identity } : {}),
      pg: pg as number,
      guid: guid(g),
      session: s === 0 ? 0 : session(s),
      extra,
    };
  });
}

/** Plays the scenario through a hub with the kit (CleverTap's 20 minutes of inactivity as the timeouts, as a page). */
export async function runKit(): Promise<Device> {
  const d = new Device({ sessionTimeout: 20 * 60, foregroundTimeout: 20 * 60, kit: { accountId: ACCOUNT_ID } }, START);
  await d.launch();
  d.clock.advance(3_000);
  for (const step of STEPS) {
    if (step.t === 'wait') d.clock.advance(step.ms);
    else {
      if (step.t === 'event') d.hub.logEvent(step.name, step.data ?? {});
      else if (step.t === 'login') d.hub.setUser(step.identity);
      else d.hub.setUser(null);
      d.clock.advance(3_000);
    }
  }
  await d.hub.flush();
  await d.hub.shutdown();
  return d;
}
