import { resilientStorage, type Logger, type SafeStorage } from '@sessionhub/core';
import { dyingStorage, type DyingStorage } from '@sessionhub/testing';
import type { HttpRequest, HttpResponse, SendInfo, TransportOptions } from '@sessionhub/delivery';
import { vi } from 'vitest';

/** The item the tests queue: a vendor event id and its position in the stream. */
export interface TestItem {
  readonly eid: string;
  readonly n: number;
  readonly pad?: string;
}

export const COLLECTOR = 'https://collector.test';
export const TP2 = `${COLLECTOR}/com.snowplowanalytics.snowplow/tp2`;

export const item = (n: number, pad?: string): TestItem => (pad === undefined ? { eid: `e-${n}`, n } : { eid: `e-${n}`, n, pad });

/** A Snowplow-like POST: the items, each stamped with the send time (as `stm`). */
export function buildRequest(items: readonly TestItem[], sentAt: number, info?: SendInfo): HttpRequest {
  return {
    url: TP2,
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Attempt': String(info?.attempt ?? 0) },
    body: JSON.stringify({ data: items.map((i) => ({ ...i, stm: String(sentAt) })) }),
  };
}

/** Items of a recorded request body written by {@link buildRequest}. */
export const itemsOf = (body: unknown): (TestItem & { stm: string })[] => (body as { data: (TestItem & { stm: string })[] }).data;

/** A logger that records what it was told. */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: vi.fn(), info: vi.fn(), error: vi.fn(), warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')) };
}

/** A SafeStorage over a dying storage, as the hub hands kits. */
export function safeStorage(raw: DyingStorage = dyingStorage(), logger?: Logger): SafeStorage & { raw: DyingStorage } {
  const storage = resilientStorage(raw, (error) => logger?.warn(`storage failed: ${String(error)}`));
  return Object.assign(storage, { raw });
}

/** How a {@link scriptedTransport} answers one request. */
export type Answer = number | { status: number; retryAfter?: string; body?: string } | Error | 'hang';

/** A transport answering from a script (then 200), recording every request with the clock's time. */
export function scriptedTransport(now: () => number) {
  const script: Answer[] = [];
  const sent: { request: HttpRequest; keepalive: boolean; readBody: boolean; at: number; items: TestItem[]; signal?: AbortSignal }[] = [];
  const transport = (request: HttpRequest, options: TransportOptions): Promise<HttpResponse> => {
    sent.push({ request, keepalive: options.keepalive === true, readBody: options.readBody === true, at: now(), items: itemsOf(JSON.parse(request.body ?? '{}')), signal: options.signal });
    const answer = script.shift() ?? 200;
    if (answer === 'hang') {
      return new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(typeof answer === 'number' ? { status: answer } : answer);
  };
  return {
    transport,
    sent,
    /** Answers for the next requests, in order. */
    answer: (...answers: Answer[]) => void script.push(...answers),
    /** Event numbers sent, request by request. */
    batches: () => sent.map((s) => s.items.map((i) => i.n)),
  };
}
