/**
 * "Never break the host app": whatever a runtime call is given — Proxies whose traps throw, revoked
 * Proxies, getters that throw, cycles, BigInt, Symbols, functions, 10 MB strings — it never throws;
 * it refuses with one warning. Setup calls (createHub, registerKit, the kit factories) throw their
 * typed config error, never a plain TypeError.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createHub, SessionHubConfigError, type Warning } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { brazeKit, BrazeKitConfigError } from '@sessionhub/kit-braze';
import { clevertapKit, CleverTapKitConfigError } from '@sessionhub/kit-clevertap';
import { snowplowKit, SnowplowKitConfigError } from '@sessionhub/kit-snowplow';
import { manualClock, recordingKit } from '@sessionhub/testing';
import { MAX_ARRAY_ELEMENTS } from '../src/call-arguments';
import { anyRecipe, build, hostileRecipe, revokedProxy, throwingFunctionProxy, throwingGetter, throwingProxy, type Recipe } from './hostile-values';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.UTC(2026, 0, 1, 9);

const METHODS = [
  'logEvent', 'setUser', 'setSessionTimeout', 'setSessionAttribute', 'incrementSessionAttribute', 'removeSessionAttribute',
  'foreground', 'background', 'startNewSession', 'endSession', 'getSession', 'getSessionAttributes', 'getSessionTimeout',
  'getKitHealth', 'getDeviceId', 'getUser', 'on', 'once', 'off',
] as const;

const call = fc.record({ method: fc.constantFrom(...METHODS), args: fc.array(anyRecipe, { maxLength: 3 }) });

describe('hostile values into every public method', () => {
  it('never throw, before start(), into start() and after it; the hub still works and nothing leaks into prototypes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 8 }), fc.option(anyRecipe), fc.array(call, { maxLength: 12 }), async (before, startOptions, after) => {
        const clock = manualClock(T0);
        const kit = recordingKit();
        const hub = createHub({ clock: clock.now, kits: [kit], logger: silent });
        const invoke = ({ method, args }: { method: (typeof METHODS)[number]; args: Recipe[] }) => {
          clock.advance(1000);
          (hub[method] as (...a: unknown[]) => unknown)(...args.map(build));
        };
        before.forEach(invoke);
        await hub.start(startOptions === null ? undefined : (build(startOptions) as never));
        after.forEach(invoke);
        expect(hub.logEvent('still-works')).toBe(true);
        expect(kit.events().at(-1)?.name).toBe('still-works');
        expect(Object.keys(Object.prototype)).toEqual([]);
        await hub.shutdown();
      }),
      { numRuns: 120 },
    );
  });

  it('registerKit and createHub throw SessionHubConfigError or work', async () => {
    // createBrowserHub in Node says once per hub that there is no localStorage.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    fc.assert(
      fc.property(anyRecipe, (recipe) => {
        const value = build(recipe);
        const hub = createHub({ logger: silent });
        for (const attempt of [() => hub.registerKit(value as never), () => createHub(value as never), () => createHub({ logger: silent, kits: [value as never] }), () => createBrowserHub(value as never)]) {
          try {
            attempt();
          } catch (error) {
            expect(error).toBeInstanceOf(SessionHubConfigError);
          }
        }
      }),
      { numRuns: 200 },
    );
    warn.mockRestore();
  });

  it.each([
    ['brazeKit', brazeKit, BrazeKitConfigError, { apiKey: '00000000-0000-4000-8000-000000000000', baseUrl: 'sdk.iad-01.braze.com' }],
    ['clevertapKit', clevertapKit, CleverTapKitConfigError, { accountId: 'W9R-486-4W5Z', token: '000-000' }],
    ['snowplowKit', snowplowKit, SnowplowKitConfigError, { collectorUrl: 'https://collector.example.com', appId: 'app' }],
  ] as const)('%s throws its typed config error for hostile options, whole or in any option', (_name, factory, ErrorClass, valid) => {
    const options = fc.oneof(
      anyRecipe,
      fc.record({ key: fc.constantFrom(...Object.keys(valid), 'delivery', 'name', 'events'), value: hostileRecipe }).map(
        ({ key, value }): Recipe => ({ kind: 'object', entries: [...Object.entries(valid).map(([k, v]): [string, Recipe] => [k, { kind: 'plain', value: v }]), [key, value]] }),
      ),
    );
    fc.assert(
      fc.property(options, (recipe) => {
        const value = build(recipe);
        try {
          (factory as (o: unknown) => unknown)(value);
        } catch (error) {
          expect(error).toBeInstanceOf(ErrorClass);
        }
      }),
      { numRuns: 300 },
    );
    // The ones that used to escape as a TypeError or the trap's own error.
    for (const bad of [throwingProxy(), revokedProxy(), throwingGetter('apiKey'), { ...valid, delivery: revokedProxy() }, { ...valid, delivery: throwingProxy() }]) {
      expect(() => (factory as (o: unknown) => unknown)(bad)).toThrow(ErrorClass);
    }
  });
});

describe('event attributes are read once, at the call', () => {
  const setup = () => {
    const clock = manualClock(T0);
    const a = recordingKit('a');
    const b = recordingKit('b');
    const warnings: Warning[] = [];
    const hub = createHub({ clock: clock.now, kits: [a, b], logger: silent });
    hub.on('warning', (w) => warnings.push(w));
    return { clock, hub, a, b, warnings };
  };

  it('a getter that throws: the call is refused with one warning, before and after start(), and no kit gets the event', async () => {
    const { hub, a, b, warnings } = setup();
    expect(hub.logEvent('early', throwingGetter('price') as never)).toBe(false);
    expect(hub.logEvent('proxied', throwingProxy() as never)).toBe(false);
    expect(hub.logEvent('revoked', revokedProxy() as never)).toBe(false);
    await hub.start();
    expect(hub.logEvent('late', { ok: 1, nested: throwingGetter('deep') })).toBe(false);
    expect(warnings.map((w) => w.code)).toEqual(['invalid-argument', 'invalid-argument', 'invalid-argument', 'invalid-argument']);
    expect(warnings[0]!.message).toContain('getter "price" threw');
    expect([...a.events(), ...b.events()]).toEqual([]);
  });

  it('every kit gets the same values, read once, even from a getter that answers differently each time', async () => {
    const { hub, a, b } = setup();
    await hub.start();
    let reads = 0;
    const attrs = { get n() {
      return ++reads;
    }, nested: { list: [1, 2] } };
    expect(hub.logEvent('counted', attrs)).toBe(true);
    expect(reads).toBe(1);
    expect(a.events()[0]!.attributes).toEqual({ n: 1, nested: { list: [1, 2] } });
    expect(b.events()[0]!.attributes).toBe(a.events()[0]!.attributes);
    attrs.nested.list.push(3); // the app changing its object later changes nothing sent
    expect(a.events()[0]!.attributes).toEqual({ n: 1, nested: { list: [1, 2] } });
  });

  it('a __proto__ key stays an own key of the copy', async () => {
    const { hub, a } = setup();
    await hub.start();
    hub.logEvent('x', JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    const sent = a.events()[0]!.attributes;
    expect(Object.keys(sent)).toEqual(['__proto__', 'ok']);
    expect(Object.getPrototypeOf(sent)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  /** Where a value sits inside the attributes: object keys and array places, outermost first. */
  const path = fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.nat(3)), { minLength: 1, maxLength: 5 });
  const nest = (steps: ReadonlyArray<string | number>, value: unknown): Record<string, unknown> => {
    let inner = value;
    for (const step of [...steps].reverse()) {
      if (typeof step === 'number') {
        const list: unknown[] = Array.from({ length: step + 1 }, (_, i) => i);
        list[step] = inner;
        inner = list;
      } else inner = Object.defineProperty({ ok: 1 }, step, { value: inner, enumerable: true, writable: true, configurable: true });
    }
    return typeof steps[0] === 'number' ? { list: inner } : (inner as Record<string, unknown>);
  };

  it('a value that throws when looked at, at any depth (a Proxy whose traps throw, a function one, a revoked one): the call is refused with one warning', async () => {
    const { hub, a, warnings } = setup();
    await hub.start();
    fc.assert(
      fc.property(path, fc.constantFrom(throwingProxy, throwingFunctionProxy, revokedProxy), (steps, make) => {
        warnings.length = 0;
        expect(hub.logEvent('nested', nest(steps, make()))).toBe(false);
        expect(warnings.map((w) => w.code)).toEqual(['invalid-argument']);
        expect(warnings[0]!.message).toMatch(/^logEvent\('nested'\): /);
      }),
    );
    expect(a.events()).toEqual([]);
    // The same places holding ordinary values are copied whole.
    fc.assert(
      fc.property(path, (steps) => {
        expect(hub.logEvent('ordinary', nest(steps, { deep: [1] }))).toBe(true);
        expect(a.events().at(-1)!.attributes).toEqual(nest(steps, { deep: [1] }));
      }),
    );
  });

  /** A sparse array of `length` (its one element at the end, if any). */
  const sparse = (length: number): unknown[] => {
    const list: unknown[] = [];
    list.length = length;
    if (length) list[length - 1] = 'last';
    return list;
  };
  const holes = fc.array(fc.oneof(fc.nat(6_000), fc.constant(2 ** 32 - 1), fc.constant(MAX_ARRAY_ELEMENTS)), { minLength: 1, maxLength: 3 });

  it('a value with a toJSON (a class\'s: a Decimal, a moment, a Luxon DateTime), at any depth, is copied as what it returns, as JSON writes it, not as its internals; one that throws refuses the call', async () => {
    /** As a moment or a Decimal is: internals in own keys, the value in its class's toJSON. */
    class Money {
      readonly _cents: number;
      readonly _locale = { code: 'de-DE', rules: [1, 2] };
      constructor(cents: number, readonly currency: string) {
        this._cents = cents;
      }
      toJSON(): unknown {
        return { amount: (this._cents / 100).toFixed(2), currency: this.currency };
      }
    }
    class Throws {
      toJSON(): never {
        throw new Error('no rate');
      }
    }
    class Itself {
      readonly x = 1;
      toJSON(): unknown {
        return this;
      }
    }
    await fc.assert(
      fc.asyncProperty(path, fc.integer({ min: 0, max: 1e6 }), async (steps, cents) => {
        const { hub, a, warnings } = setup();
        await hub.start();
        const attrs = nest(steps, new Money(cents, 'EUR'));
        expect(hub.logEvent('priced', attrs)).toBe(true);
        // What a vendor's SDK writes: JSON of the attributes as the app passed them.
        expect(a.events()[0]!.attributes).toEqual(JSON.parse(JSON.stringify(attrs)));
        expect(hub.logEvent('itself', nest(steps, new Itself()))).toBe(true);
        expect(a.events()[1]!.attributes).toEqual(JSON.parse(JSON.stringify(nest(steps, { x: 1 }))));
        expect(hub.logEvent('unpriced', nest(steps, new Throws()))).toBe(false);
        expect(warnings.map((w) => w.code)).toEqual(['invalid-argument']);
        expect(a.events().map((e) => e.name)).toEqual(['priced', 'itself']);
      }),
      { numRuns: 50 },
    );
  });

  it(`arrays hold at most ${MAX_ARRAY_ELEMENTS} elements in all, holes included: a sparse array of length 2^32 − 1 is refused at once, not copied out of memory`, async () => {
    const { hub, a, warnings } = setup();
    await hub.start();
    fc.assert(
      fc.property(holes, fc.boolean(), (lengths, nested) => {
        warnings.length = 0;
        const lists = lengths.map(sparse);
        const attributes = nested ? { outer: { lists } } : Object.fromEntries(lists.map((list, i) => [`l${i}`, list]));
        const started = performance.now();
        const accepted = hub.logEvent('lists', attributes);
        expect(performance.now() - started).toBeLessThan(500);
        // (Nested, the array that holds them counts too.)
        const total = lengths.reduce((sum, n) => sum + n, nested ? lengths.length : 0);
        expect(accepted).toBe(total <= MAX_ARRAY_ELEMENTS);
        if (!accepted) {
          expect(warnings.map((w) => w.message)).toEqual([
            `logEvent('lists'): the attributes could not be copied (RangeError: an event's attributes may hold at most ${MAX_ARRAY_ELEMENTS} array elements in all, holes included)`,
          ]);
          return;
        }
        // Holes are read as undefined, as before.
        const sent = a.events().at(-1)!.attributes;
        const copies = (nested ? (sent.outer as { lists: unknown[][] }).lists : Object.values(sent)) as unknown[][];
        expect(copies.map((list) => [list.length, list.at(-1), Object.keys(list).length])).toEqual(lengths.map((n) => [n, n ? 'last' : undefined, n]));
      }),
      { numRuns: 60 },
    );
  });
});

describe('a clock that answers NaN', () => {
  it('gives one warning per refused call', async () => {
    let t: number = T0;
    const warnings: Warning[] = [];
    const kit = recordingKit();
    const hub = createHub({ clock: () => t, kits: [kit], logger: silent });
    hub.on('warning', (w) => warnings.push(w));
    await hub.start();
    hub.logEvent('fine');
    t = NaN;
    expect(hub.logEvent('x', { a: 1 })).toBe(false);
    expect(warnings).toHaveLength(1);
    // Named as the app called them, not as the engine's inputs.
    expect(warnings[0]!.message).toBe('logEvent: the clock returned NaN; the call was refused');
    expect(hub.setSessionAttribute('k', 1)).toBe(false);
    expect(hub.incrementSessionAttribute('k')).toBeUndefined();
    expect(warnings).toHaveLength(3);
    expect(warnings.slice(1).map((w) => w.message.split(':')[0])).toEqual(['setSessionAttribute', 'incrementSessionAttribute']);
    hub.getSession();
    expect(warnings).toHaveLength(3); // reads are not calls to refuse
    t = T0 + 1000;
    expect(hub.logEvent('back')).toBe(true);
    expect(kit.events().map((e) => e.name)).toEqual(['fine', 'back']);
  });
});

describe('a clock that fails at start()', () => {
  it.each([
    ['answers NaN', () => NaN, 'returned NaN'],
    ['throws', () => {
      throw new Error('no time');
    }, 'threw (Error: no time)'],
  ])('that %s launches at the device\'s time with a warning, never at 0 (a session of 1970 at every vendor)', async (_, broken, problem) => {
    let working = false;
    const warnings: Warning[] = [];
    const kit = recordingKit();
    const hub = createHub({ clock: () => (working ? Date.now() : broken()), kits: [kit], logger: silent });
    hub.on('warning', (w) => warnings.push(w));
    const before = Date.now();
    await hub.start();
    working = true;
    hub.logEvent('play');
    expect(warnings.map((w) => [w.code, w.message])).toEqual([['invalid-argument', `start: the clock ${problem}; launched at the device's time (Date.now()) instead`]]);
    expect(kit.ends()).toEqual([]);
    expect(kit.starts()).toHaveLength(1);
    expect(kit.starts()[0]!.startTime).toBeGreaterThanOrEqual(before);
    expect(kit.events().map((e) => e.sessionId)).toEqual([kit.starts()[0]!.sessionId]);
  });
});

describe('listeners', () => {
  it('on/once/off with a non-function listener (or a non-string event) warn instead of throwing', () => {
    const warnings: Warning[] = [];
    const hub = createHub({ logger: silent });
    hub.on('warning', (w) => warnings.push(w));
    for (const bad of [undefined, null, 42, 'x', {}, throwingProxy(), revokedProxy()]) {
      expect(hub.on('event', bad as never)).toBe(hub);
      expect(hub.once('event', bad as never)).toBe(hub);
      expect(hub.on(bad as never, () => undefined)).toBe(hub);
    }
    expect(hub.off('event', 42 as never)).toBe(hub);
    expect(hub.off('event')).toBe(hub); // no listener: removes all, as documented
    expect(warnings.length).toBe(7 * 2 + 6 + 1); // "x" is a fine event name
    expect(warnings[0]!.message).toBe("on('event', listener): the listener must be a function, got undefined");
  });
});
