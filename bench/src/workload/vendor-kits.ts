import type { Kit } from '@sessionhub/core';
import type { Transport } from '@sessionhub/delivery';

/** The event every workload logs, and how the Snowplow kit maps it (a self-describing event, like the tracker-core row). */
export const EVENT_NAME = 'song_played';
export const EVENT_SCHEMA = 'iglu:com.acme/song_played/jsonschema/1-0-0';
export const EVENT_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({
  genre: 'jazz',
  track: 'So What',
  duration_s: 562,
  premium: true,
});

/** How the bench sets up one vendor kit (their options differ) and finds an event in its requests. */
interface KitSpec {
  readonly package: string;
  create(module: Record<string, unknown>, transport: Transport): Kit;
  /** The wire payload of the last logged event in a request body (parsed JSON), or undefined. */
  eventPayload(body: unknown): unknown;
}

type Factory = (options: Record<string, unknown>) => Kit;
const factory = (module: Record<string, unknown>, name: string): Factory => {
  const f = module[name];
  if (typeof f !== 'function') throw new Error(`exports no ${name}() yet`);
  return f as Factory;
};
const lastOf = <T>(items: readonly T[], match: (item: T) => boolean): T | undefined => items.filter(match).at(-1);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const KIT_SPECS: readonly KitSpec[] = [
  {
    package: '@sessionhub/kit-braze',
    create: (m, transport) => factory(m, 'brazeKit')({ apiKey: 'bench-api-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
    eventPayload: (body) =>
      isRecord(body) && Array.isArray(body.events) ? lastOf(body.events as unknown[], (e) => isRecord(e) && e.name === 'ce') : undefined,
  },
  {
    package: '@sessionhub/kit-clevertap',
    create: (m, transport) => factory(m, 'clevertapKit')({ accountId: 'W9R-486-4W5Z', token: 'bench-token', delivery: { transport } }),
    eventPayload: (body) =>
      Array.isArray(body) ? lastOf(body as unknown[], (e) => isRecord(e) && e.type === 'event' && e.evtName === EVENT_NAME) : undefined,
  },
  {
    package: '@sessionhub/kit-snowplow',
    create: (m, transport) =>
      factory(m, 'snowplowKit')({
        collectorUrl: 'https://collector.example.com',
        appId: 'bench',
        events: { [EVENT_NAME]: EVENT_SCHEMA },
        delivery: { transport },
      }),
    eventPayload: (body) =>
      isRecord(body) && Array.isArray(body.data) ? lastOf(body.data as unknown[], (e) => isRecord(e) && e.e === 'ue') : undefined,
  },
];

/** The kits that exist (built and exporting their factory), ready to make. */
export interface AvailableKits {
  readonly specs: readonly (KitSpec & { readonly module: Record<string, unknown> })[];
  /** Kits not measured yet, with why. */
  readonly missing: readonly string[];
}

/** Imports every vendor kit that is there; a kit still being written is listed in `missing`. */
export async function availableKits(): Promise<AvailableKits> {
  const specs: (KitSpec & { module: Record<string, unknown> })[] = [];
  const missing: string[] = [];
  for (const spec of KIT_SPECS) {
    try {
      const module = (await import(spec.package)) as Record<string, unknown>;
      // Make one now, so a kit whose factory is not there yet shows up as missing, not as a crash later.
      spec.create(module, async () => ({ status: 200 }));
      specs.push({ ...spec, module });
    } catch (error) {
      missing.push(`${spec.package}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { specs, missing };
}
