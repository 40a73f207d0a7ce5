/**
 * Field-by-field comparison of what Braze's Web SDK and the kit sent in one scenario. Both event
 * streams (every request's `events`, in order) are compared event by event; each event also carries
 * the envelope and headers of the request it went in, so a field of either is compared for every
 * event. Random ids are replaced by their order of appearance on each side (`device`, `session 1`…).
 */
import type { Captured } from './pages';

/**
 * One field that differs, named as docs/kits/braze.md's table names it: an event's own field after
 * the event (`se data.d`), a field of the request an event went in by its path (`body.time`,
 * `header x-braze-req-attempt`), or `requests` / `events` for their counts and order.
 */
export interface Difference {
  readonly scenario: string;
  readonly field: string;
  readonly sdk: unknown;
  readonly kit: unknown;
}

type Json = Record<string, unknown>;

/** Every event with the request it went in, ids replaced by names. */
function stream(requests: readonly Captured[]): { event: Json; request: Captured }[] {
  const sessions = new Map<unknown, string>();
  const session = (id: unknown): string => sessions.get(id) ?? (sessions.set(id, `session ${sessions.size + 1}`), `session ${sessions.size}`);
  return requests.flatMap((request) => {
    const { events: _events, ...body }: Json = { ...request.body, device_id: request.body.device_id ? 'device' : undefined };
    const named = { ...request, body };
    return ((request.body.events ?? []) as Json[]).map((event) => ({ event: { ...event, session_id: event.session_id && session(event.session_id) }, request: named }));
  });
}

/** Leaves of `value` by dotted path (arrays and the device object are leaves: their JSON is compared). */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value && typeof value == 'object' && !Array.isArray(value) && path != 'body.device') {
    for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, out);
  } else if (value !== undefined) out.set(path, value);
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What differs between the two sides' requests in `scenario`, one entry per field. */
export function compareRequests(scenario: string, sdk: readonly Captured[], kit: readonly Captured[]): Difference[] {
  const found = new Map<string, Difference>();
  const differ = (field: string, a: unknown, b: unknown): void => {
    if (!same(a, b) && !found.has(field)) found.set(field, { scenario, field, sdk: a, kit: b });
  };
  differ('requests', sdk.length, kit.length);
  const a = stream(sdk);
  const b = stream(kit);
  const names = (s: typeof a) => s.map(({ event }) => (event.name == 'ce' ? `ce ${(event.data as Json).n}` : event.name));
  differ('events', names(a), names(b));
  if (found.has('events')) return [...found.values()];
  a.forEach(({ event, request }, i) => {
    const other = b[i]!;
    const name = event.name as string;
    // The event's own fields are named after it (`se data.d`); its request's are not (`body.time`).
    const fields = (e: Json, r: Captured) => {
      const out = new Map([...leaves(e, '', new Map())].map(([path, value]) => [`${name} ${path}`, value]));
      leaves(r.body, 'body', out);
      for (const [header, value] of Object.entries(r.headers)) out.set(`header ${header}`, value);
      out.set('url', r.url);
      return out;
    };
    const x = fields(event, request);
    const y = fields(other.event, other.request);
    for (const path of new Set([...x.keys(), ...y.keys()])) differ(path, x.get(path), y.get(path));
  });
  return [...found.values()];
}

/** A row of the differences table in docs/kits/braze.md. */
export interface ListedDifference {
  readonly scenario: string;
  readonly field: string;
}

/**
 * The rows of the table between `<!-- braze-conformance:start -->` and `<!-- braze-conformance:end -->`:
 * `| scenario | \`field\` | … |`, the scenario `all` standing for every scenario.
 */
export function listedDifferences(markdown: string): ListedDifference[] {
  const table = markdown.split('<!-- braze-conformance:start -->')[1]?.split('<!-- braze-conformance:end -->')[0] ?? '';
  return table
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => cells.length > 3 && /^`.+`$/.test(cells[2]!))
    .map((cells) => ({ scenario: cells[1]!, field: cells[2]!.slice(1, -1) }));
}
