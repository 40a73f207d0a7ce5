import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppState, TransitionInfo, Warning } from '@sessionhub/core';
import { BROWSER_DEFAULTS, browserLifecycle, createBrowserHub, pageStorage, type WebStorageLike } from '@sessionhub/core/browser';
import { SessionHubConfigError } from '@sessionhub/core';
import { recordingKit } from '@sessionhub/testing';

function fakePage(visibility: 'visible' | 'hidden' = 'visible') {
  const document = Object.assign(new EventTarget(), { visibilityState: visibility as string });
  const window = new EventTarget();
  const seen: Array<[AppState, TransitionInfo | undefined]> = [];
  const lifecycle = browserLifecycle({ document, window });
  const fire = (target: EventTarget, type: string, extra: Record<string, unknown> = {}) => target.dispatchEvent(Object.assign(new Event(type), extra));
  return { document, window, lifecycle, seen, fire };
}

describe('browserLifecycle', () => {
  it('maps visibility, pagehide/pageshow (back/forward cache) and freeze/resume to the hub’s lifecycle', () => {
    const page = fakePage();
    expect(page.lifecycle.current?.()).toBe('foreground');
    const stop = page.lifecycle.subscribe((state, info) => page.seen.push([state, info]));
    page.document.visibilityState = 'hidden';
    page.fire(page.document, 'visibilitychange');
    expect(page.lifecycle.current?.()).toBe('background');
    page.fire(page.document, 'freeze');
    page.fire(page.document, 'resume');
    page.fire(page.window, 'pagehide', { persisted: true });
    page.fire(page.window, 'pageshow', { persisted: false }); // a first load's pageshow is no return
    page.document.visibilityState = 'visible';
    page.fire(page.window, 'pageshow', { persisted: true });
    page.fire(page.document, 'visibilitychange');
    expect(page.seen).toEqual([
      ['background', { pageHidden: true }],
      ['background', { pageHidden: true, final: true }],
      ['background', { restored: true }],
      ['background', { pageHidden: true, final: true }],
      ['foreground', { restored: true }],
      ['foreground', undefined],
    ]);
    stop();
    page.fire(page.window, 'pagehide', { persisted: false });
    page.fire(page.document, 'visibilitychange');
    expect(page.seen).toHaveLength(6);
  });

  it('without a document (a worker, server rendering) it reports nothing and subscribes to nothing', () => {
    const lifecycle = browserLifecycle({});
    expect(lifecycle.current?.()).toBeUndefined();
    expect(typeof lifecycle.subscribe(() => undefined)).toBe('function');
  });
});

/** A Web Storage that can be blocked or fill up. */
function fakeStorage(limit = Infinity) {
  const map = new Map<string, string>();
  const storage: WebStorageLike = {
    getItem: (k) => map.get(k) ?? null,
    setItem(k, v) {
      const size = [...map].reduce((n, [key, value]) => n + key.length + value.length, 0) + k.length + v.length - (map.has(k) ? k.length + (map.get(k) as string).length : 0);
      if (size > limit) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k) => void map.delete(k),
    key: (i) => [...map.keys()][i] ?? null,
    get length() {
      return map.size;
    },
  };
  return { map, storage };
}

describe('pageStorage', () => {
  it('uses localStorage while it works', () => {
    const { map, storage } = fakeStorage();
    const onFailure = vi.fn();
    const s = pageStorage(() => storage, 'ns:', onFailure);
    s.setItem('ns:a', '1');
    expect(map.get('ns:a')).toBe('1');
    expect(s.degraded).toBe(false);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it('falls back to memory, with one report, when localStorage is blocked', () => {
    const onFailure = vi.fn();
    const s = pageStorage(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    }, 'ns:', onFailure);
    s.setItem('ns:a', '1');
    expect(s.getItem('ns:a')).toBe('1');
    s.removeItem('ns:a');
    expect(s.getItem('ns:a')).toBeNull();
    expect(s.degraded).toBe(true);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure.mock.calls[0]?.[0]).toMatch(/unavailable.*SecurityError/);
  });

  it('when localStorage fills up, keeps everything (what was stored and what did not fit) in memory', () => {
    const { map, storage } = fakeStorage(40);
    map.set('other:x', 'not ours');
    const onFailure = vi.fn();
    const s = pageStorage(() => storage, 'ns:', onFailure);
    s.setItem('ns:a', 'small');
    s.setItem('ns:b', 'x'.repeat(100));
    expect(s.degraded).toBe(true);
    expect(onFailure.mock.calls[0]?.[0]).toMatch(/full/);
    expect(s.getItem('ns:a')).toBe('small');
    expect(s.getItem('ns:b')).toBe('x'.repeat(100));
    expect(s.getItem('other:x')).toBeNull(); // only this hub's keys are carried over
    s.setItem('ns:c', 'later');
    expect(map.has('ns:c')).toBe(false);
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it('when full, asks the hub to make room (whenFull) with the characters the write needs, and writes again while room was made', () => {
    const { map, storage } = fakeStorage(80);
    map.set('ns:old1', 'x'.repeat(20));
    map.set('ns:old2', 'x'.repeat(20));
    const onFailure = vi.fn();
    const s = pageStorage(() => storage, 'ns:', onFailure);
    const asked: number[] = [];
    s.whenFull!((chars) => {
      asked.push(chars);
      // Frees one old value per call, as long as there is one.
      const old = ['ns:old1', 'ns:old2'].find((k) => map.has(k));
      if (old) map.delete(old);
      return !!old;
    });
    s.setItem('ns:new', 'y'.repeat(50)); // needs 56 characters (key and value): fits once both old values went
    expect(map.get('ns:new')).toBe('y'.repeat(50));
    expect(asked).toEqual([56, 56]);
    expect(s.degraded).toBe(false);
    s.setItem('ns:new', 'y'.repeat(55)); // fits
    // Nothing more to free: memory, with one report, as before. A value that grows needs what it adds.
    s.setItem('ns:new', 'y'.repeat(90));
    expect(asked).toEqual([56, 56, 35]);
    expect(s.degraded).toBe(true);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(s.getItem('ns:new')).toBe('y'.repeat(90));
  });
});

describe('createBrowserHub', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('has the browser defaults: 30 minutes of inactivity, foreground or not, and reloads resume', () => {
    expect(BROWSER_DEFAULTS).toEqual({ sessionTimeout: 1800, foregroundTimeout: 1800, resumeOnRelaunch: true });
    const hub = createBrowserHub({ storage: null, locks: null, lifecycle: null, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    expect(hub.getSessionTimeout()).toBe(1800);
    const explicit = createBrowserHub({ storage: null, locks: null, lifecycle: null, sessionTimeout: undefined, foregroundTimeout: null });
    expect(explicit.getSessionTimeout()).toBe(1800); // undefined means "the default"
  });

  it('with storage: null keeps everything in memory, without a warning', async () => {
    const warn = vi.fn();
    const hub = createBrowserHub({ storage: null, locks: null, lifecycle: null, logger: { debug() {}, info() {}, warn, error() {} } });
    const started = hub.start();
    await vi.advanceTimersByTimeAsync(0);
    await started;
    expect(hub.getSession()).not.toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  it('throws a typed error for invalid browser options', () => {
    expect(() => createBrowserHub({ storage: {} as never })).toThrow(SessionHubConfigError);
    expect(() => createBrowserHub({ locks: { request() {} } as never })).toThrow(/locks/);
    expect(() => createBrowserHub({ storageEvents: 5 as never })).toThrow(/storageEvents/);
    expect(() => createBrowserHub({ sessionTimeout: 0, storage: null })).toThrow(/sessionTimeout/);
  });

  it('works without localStorage, warning once; the synchronous API answers at once and never throws', async () => {
    const warn = vi.fn();
    const kit = recordingKit();
    const hub = createBrowserHub({
      storage: { getItem() { throw new Error('blocked'); }, setItem() { throw new Error('blocked'); }, removeItem() {}, key: () => null, length: 0 },
      locks: null,
      storageEvents: null,
      lifecycle: null,
      kits: [kit],
      logger: { debug() {}, info() {}, warn, error() {} },
    });
    const warnings: Warning[] = [];
    hub.on('warning', (w) => warnings.push(w));
    const started = hub.start();
    await vi.advanceTimersByTimeAsync(0);
    await started;
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.slice(1))).toMatch(/localStorage is unavailable.*keeping the session and the outboxes in memory/);
    const id = hub.getSession()?.id;
    expect(id).toBeDefined();
    expect(hub.logEvent('clicked')).toBe(true);
    expect(hub.incrementSessionAttribute('clicks')).toBe(1); // answered before the commit
    expect(hub.logEvent('' as never)).toBe(false);
    expect(() => hub.setSessionAttribute(undefined as never, {} as never)).not.toThrow();
    await vi.advanceTimersByTimeAsync(100);
    expect(kit.events().map((e) => [e.name, e.sessionId])).toEqual([['clicked', id]]);
    expect(hub.getSessionAttributes()).toEqual({ clicks: 1 });
    await hub.shutdown();
  });
});
