import type { LogLineType, Platform } from './log/log-record';

/** What `sessionhub generate` makes. */
export interface GenerateOptions {
  readonly devices: number;
  /** Lines in all (events and lifecycle lines). */
  readonly events: number;
  readonly seed: number;
  /** When the first device starts, epoch ms (default 2026-03-14T09:00:00Z). */
  readonly start?: number;
}

/** One generated line, in the log's NDJSON shape. */
export interface GeneratedLine {
  readonly deviceId: string;
  readonly timestamp: number;
  readonly type: LogLineType;
  readonly name?: string;
  readonly attributes?: Readonly<Record<string, string | number>>;
  readonly affectsSession?: false;
  readonly userId?: string | null;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const NAMES = ['screen_view', 'screen_view', 'screen_view', 'song_played', 'song_played', 'search', 'add_to_playlist', 'purchase'];
const GENRES = ['jazz', 'blues', 'funk', 'soul', 'rock'];

/** mulberry32, as `seededRandom` in @sessionhub/testing (a generator must not depend on test code). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How long the user stays away, ms: mostly short, some between the vendors' timeouts, some long. */
function away(r: () => number): number {
  const x = r();
  if (x < 0.4) return (2 + r() * 48) * SECOND; // a glance at another app
  if (x < 0.65) return (1 + r() * 9) * MINUTE; // between SessionHub's 60 s and CleverTap's 20 min
  if (x < 0.85) return (15 + r() * 30) * MINUTE; // around CleverTap's 20 and the 30 min timeouts
  return (1 + r() * 11) * HOUR;
}

/** One device's lines, in time order: bursts of events, backgrounds, restarts, sign-ins, user changes. */
function* deviceLines(index: number, quota: number, seed: number, start: number): Generator<GeneratedLine> {
  const r = random((seed * 0x9e3779b1) ^ (index * 0x85ebca6b) ^ 0x27d4eb2f);
  const deviceId = `device-${index.toString(36).padStart(5, '0')}`;
  const platform: Platform = r() < 0.75 ? 'mobile' : 'web';
  const signsIn = r() < 0.6;
  let users = 0;
  let user: string | null = null;
  let t = start + Math.floor(r() * HOUR);
  let left = quota;
  const line = (type: LogLineType, extra: Partial<GeneratedLine> = {}): GeneratedLine => {
    left--;
    return { deviceId, timestamp: Math.round(t), type, ...extra };
  };
  const event = (): GeneratedLine => {
    const name = NAMES[Math.floor(r() * NAMES.length)]!;
    const extra: { -readonly [K in keyof GeneratedLine]?: GeneratedLine[K] } = { name, attributes: name === 'song_played' ? { genre: GENRES[Math.floor(r() * GENRES.length)]! } : {} };
    // Sign-ins, user changes and logouts ride on event lines (userId applies before the line).
    const u = r();
    if (signsIn && user === null && u < 0.15) user = extra.userId = `user-${deviceId.slice(7)}-${users++}`;
    else if (user !== null && u < 0.004) user = extra.userId = `user-${deviceId.slice(7)}-${users++}`;
    else if (user !== null && u < 0.006) user = extra.userId = null;
    return line('event', extra);
  };
  if (platform === 'mobile' && left > 0) yield line('launch');
  while (left > 0) {
    // A visit: a burst of events a few seconds apart.
    const burst = 1 + Math.floor(r() * 15);
    for (let i = 0; i < burst && left > 0; i++) {
      t += (1 + r() * 29) * SECOND;
      yield event();
    }
    if (left <= 0) break;
    const gap = away(r);
    if (platform === 'web') {
      t += gap;
      continue;
    }
    const killedInForeground = r() < 0.05;
    if (!killedInForeground) {
      t += (1 + r() * 4) * SECOND;
      yield line('background');
      // A push arrives while away: logged, but session-neutral.
      if (left > 0 && r() < 0.1) {
        t += gap * r();
        yield line('event', { name: 'push_received', attributes: {}, affectsSession: false });
      }
    }
    if (left <= 0) break;
    t += gap;
    // Back: most often a foreground; sometimes the app was killed meanwhile and launches again.
    yield killedInForeground || r() < 0.15 ? line('launch') : line('foreground');
  }
}

/** A binary min-heap of devices by the time of their next line (ties: lower device index first). */
interface Pending {
  readonly index: number;
  next: GeneratedLine;
  readonly lines: Generator<GeneratedLine>;
}

const before = (a: Pending, b: Pending): boolean => a.next.timestamp < b.next.timestamp || (a.next.timestamp === b.next.timestamp && a.index < b.index);

/**
 * A realistic seeded log: `events` lines in all over `devices` devices (75 % mobile apps with
 * lifecycle lines, 25 % web sites with events only), in time order. The same options always give
 * the same log.
 */
export function* generateLog(options: GenerateOptions): Generator<GeneratedLine> {
  const { devices, events, seed } = options;
  const start = options.start ?? Date.UTC(2026, 2, 14, 9, 0, 0);
  const heap: Pending[] = [];
  const push = (p: Pending): void => {
    let i = heap.push(p) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let d = 0; d < devices; d++) {
    const quota = Math.floor(events / devices) + (d < events % devices ? 1 : 0);
    const lines = deviceLines(d, quota, seed, start);
    const first = lines.next();
    if (!first.done) push({ index: d, next: first.value, lines });
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.next;
    const n = top.lines.next();
    if (n.done) {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    } else top.next = n.value;
    siftDown();
  }
}

const csvCell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The CSV header `generate --format csv` writes. */
export const GENERATED_CSV_HEADER = 'deviceId,timestamp,type,name,attributes,affectsSession,userId';

/** A generated line as one line of text (no newline): NDJSON or a CSV row under {@link GENERATED_CSV_HEADER}. */
export function formatLine(l: GeneratedLine, format: 'ndjson' | 'csv'): string {
  if (format === 'ndjson') return JSON.stringify(l);
  return [
    csvCell(l.deviceId),
    String(l.timestamp),
    l.type,
    l.name === undefined ? '' : csvCell(l.name),
    l.attributes === undefined ? '' : csvCell(JSON.stringify(l.attributes)),
    l.affectsSession === false ? 'false' : '',
    l.userId === undefined ? '' : l.userId === null ? 'null' : csvCell(l.userId),
  ].join(',');
}
