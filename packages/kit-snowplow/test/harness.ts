/** Test helpers for the kit: a recording transport with scripted answers, and a recording logger. */
import type { Logger } from '@sessionhub/core';
import type { HttpRequest, HttpResponse, Transport } from '@sessionhub/delivery';
import { decodeTrackerRequest, type DecodedEvent } from './iglu-validator';

/** How the transport answers one request: a status, or a dropped connection. */
export type Answer = number | 'network-error';

export interface SentRequest {
  readonly request: HttpRequest;
  /** The collector took it in (a 2xx answer). */
  readonly accepted: boolean;
  /** Sent to outlive the page (a page-hide flush: fetch keepalive / sendBeacon). */
  readonly keepalive: boolean;
}

/**
 * A transport recording every request the kit builds. Answers come from `plan` in turn (cycled;
 * default 200). `kill()` makes it drop every later request, like a process that died.
 */
export function captureTransport(plan: readonly Answer[] = [200]) {
  const sent: SentRequest[] = [];
  let turn = 0;
  let dead = false;
  const transport: Transport = (request, options): Promise<HttpResponse> => {
    const answer: Answer = dead ? 'network-error' : (plan[turn++ % plan.length] ?? 200);
    sent.push({ request, accepted: typeof answer === 'number' && answer >= 200 && answer < 300, keepalive: options?.keepalive === true });
    return answer === 'network-error' ? Promise.reject(new Error('network error')) : Promise.resolve({ status: answer });
  };
  return {
    transport,
    sent,
    kill: () => void (dead = true),
    /** Every request decoded and validated against the Iglu schemas (throws on the first invalid one). */
    decoded: (): { events: DecodedEvent[]; accepted: boolean }[] => sent.map((s) => ({ events: decodeTrackerRequest(s.request), accepted: s.accepted })),
  };
}

/** The events the collector accepted, decoded, one per event id (a resend must be the same event). */
export function acceptedEvents(requests: readonly { events: DecodedEvent[]; accepted: boolean }[]): Map<string, DecodedEvent> {
  const byId = new Map<string, DecodedEvent>();
  for (const r of requests) {
    if (!r.accepted) continue;
    for (const ev of r.events) {
      const { stm: _, ...item } = ev.item;
      const earlier = byId.get(item.eid!);
      if (earlier) {
        const { stm: __, ...before } = earlier.item;
        if (JSON.stringify(before) !== JSON.stringify(item)) throw new Error(`event ${item.eid} was sent twice with different content`);
      } else byId.set(item.eid!, ev);
    }
  }
  return byId;
}

/** A logger that keeps what it is told, level by level. */
export function recordingLogger(): Logger & { lines: { level: string; text: string }[]; text(level: string): string[] } {
  const lines: { level: string; text: string }[] = [];
  const at = (level: string) => (...args: unknown[]) => void lines.push({ level, text: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') });
  return {
    lines,
    text: (level) => lines.filter((l) => l.level === level).map((l) => l.text),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
