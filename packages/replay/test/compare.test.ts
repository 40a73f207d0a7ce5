import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Comparison } from '../src/compare/comparison';
import { compareReport, type CompareReport } from '../src/compare/report';
import { renderCompareHtml } from '../src/compare/render-html';
import { renderCompareTable } from '../src/compare/render-table';
import { bg, ev, fg, launch, records, type LineSpec } from './timeline';

function compare(lines: readonly LineSpec[], options: ConstructorParameters<typeof Comparison>[0] = {}): CompareReport {
  const c = new Comparison(options);
  for (const r of records(lines)) c.add(r);
  return compareReport(c, { lines: lines.length, skipped: 0 });
}

const column = (r: CompareReport, id: string) => r.columns.find((c) => c.id === id)!;

describe('compare', () => {
  // A phone: a 70 s background (past SessionHub's 60 s, under Snowplow's and CleverTap's timeouts),
  // alice signs in, bob takes over, a push nobody opened (session-neutral), and a relaunch.
  const phone = [
    launch(0),
    ev(5),
    bg(30),
    fg(100),
    ev(110, { userId: 'alice' }),
    ev(200, { userId: 'bob' }),
    bg(210),
    ev(400, { neutral: true, name: 'push_received' }),
    launch(5000),
  ];

  it('counts each column and says where every difference comes from', () => {
    const r = compare(phone);
    // SessionHub: [0–30] (background timeout), [100–200] (bob ends it), [200–210] (expired, noticed at the push), [5000–] open.
    expect(column(r, 'canonical')).toMatchObject({ sessions: 4, openAtEnd: 1, totalMs: 30_000 + 100_000 + 10_000 });
    // Braze (from the session start): [0–30], [100–110] alice, [110–200] bob, [200–400] (the push extends it), relaunch [5000–].
    const braze = column(r, 'braze');
    expect(braze.sessions).toBe(5);
    expect(braze.difference!.byCause).toEqual({ timeoutGaps: 0, restarts: 0, userChanges: 1, neutralEvents: 0 });
    // Snowplow: one session until the relaunch, then a new one; user ids do not count.
    const snowplow = column(r, 'snowplow');
    expect(snowplow.sessions).toBe(2);
    expect(snowplow.difference!.byCause).toEqual({ timeoutGaps: -1, restarts: 0, userChanges: -1, neutralEvents: 0 });
    // mParticle: the 70 s background ends the session ([0–30]); users keep it; the push at 400 s (190 s
    // after the background) starts one; the relaunch ends it.
    const mparticle = column(r, 'mparticle');
    expect(mparticle.sessions).toBe(4);
    expect(mparticle.difference!.byCause).toEqual({ timeoutGaps: 0, restarts: 0, userChanges: -1, neutralEvents: 1 });
    for (const c of r.columns.slice(1)) {
      const d = c.difference!;
      expect(Object.values(d.byCause).reduce((a, b) => a + b, 0)).toBe(d.sessions);
      expect(d.boundariesMs + d.measurementMs).toBe(d.totalMs);
    }
    expect(renderCompareTable(r)).toMatch(/Braze \(own SDK\)\s+5\s/);
  });

  it('the count differences by cause always add up to the difference (any log)', () => {
    const line = fc.record({
      gap: fc.integer({ min: 0, max: 4000 }),
      type: fc.constantFrom('event', 'event', 'event', 'foreground', 'background', 'launch'),
      user: fc.constantFrom(undefined, undefined, undefined, null, 'a', 'b'),
      neutral: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (spec, resume) => {
        let at = 0;
        const lines: LineSpec[] = spec.map((s) => ({ at: (at += s.gap), type: s.type as LineSpec['type'], userId: s.user, neutral: s.type === 'event' && s.neutral }));
        if (lines.length === 0) return;
        const r = compare(lines, { engine: { resumeOnRelaunch: resume } });
        for (const c of r.columns.slice(1)) {
          const d = c.difference!;
          expect(Object.values(d.byCause).reduce((a, b) => a + b, 0)).toBe(d.sessions);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a device counts as web without lifecycle lines and as mobile (from its first line) with one', () => {
    // 2000 s between two events: past Braze web's 1800 s; Braze mobile sees no foreground, so no new session.
    const web = compare([ev(0), ev(2000)]);
    expect(web.devices).toEqual({ total: 1, mobile: 0, web: 1 });
    expect(column(web, 'braze').sessions).toBe(2);
    const mobile = compare([ev(0), ev(2000), bg(2010)]);
    expect(mobile.devices).toEqual({ total: 1, mobile: 1, web: 0 });
    expect(column(mobile, 'braze').sessions).toBe(1);
    // A platform on a line decides it, lifecycle lines or not.
    expect(compare([ev(0, { platform: 'mobile' }), ev(2000)]).devices.mobile).toBe(1);
    expect(compare([ev(0, { platform: 'web' }), ev(2000), bg(2010)]).devices.web).toBe(1);
  });

  it('canonical only: no vendor columns', () => {
    expect(compare(phone, { vendors: false }).columns.map((c) => c.id)).toEqual(['canonical']);
  });

  it('resumeOnRelaunch: a launch within the timeout continues the session', () => {
    const lines = [launch(0), ev(10), launch(30), ev(40)];
    expect(column(compare(lines), 'canonical').sessions).toBe(2);
    expect(column(compare(lines, { engine: { resumeOnRelaunch: true } }), 'canonical').sessions).toBe(1);
  });

  it('median and p90 by nearest rank, within the sketch\'s stated 1 % (the largest length exactly)', () => {
    const lines = [fg(0), bg(10), fg(100), bg(130), fg(300), bg(400)];
    const r = compare(lines);
    const c = column(r, 'canonical');
    expect(r.quantileRelativeError).toBe(0.01);
    expect(c.sessions).toBe(3);
    // Nearest rank of 10 s, 30 s, 100 s: the median is the 2nd, the p90 the 3rd (the largest).
    expect(Math.abs(c.medianMs - 30_000)).toBeLessThanOrEqual(0.01 * 30_000);
    expect(c.medianMs).not.toBe(30_000); // read from its bucket: approximate, as the report says
    expect(c.p90Ms).toBe(100_000);
    expect(renderCompareTable(r)).toContain('median and p90: within 1 % of the exact values (a quantile sketch); counts and totals are exact');
    expect(renderCompareHtml(r)).toContain('<p id="quantiles">median and p90: within 1 % of the exact values (a quantile sketch); counts and totals are exact.</p>');
  });
});

describe('compare --canonical-only', () => {
  it('decides each device\'s platform by the same rule as a full compare: the counts and the timelines agree', () => {
    const line = fc.record({
      deviceId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      at: fc.integer({ min: 0, max: 10_000 }),
      type: fc.constantFrom('event', 'event', 'launch', 'foreground', 'background') as fc.Arbitrary<'event' | 'launch' | 'foreground' | 'background'>,
      platform: fc.constantFrom(undefined, undefined, undefined, 'mobile', 'web') as fc.Arbitrary<'mobile' | 'web' | undefined>,
    }) as fc.Arbitrary<LineSpec>;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (specs) => {
        const full = new Comparison({ sampleDevices: 5 });
        const canonical = new Comparison({ vendors: false, sampleDevices: 5 });
        for (const r of records(specs)) {
          full.add(r);
          canonical.add(r);
        }
        full.finish();
        canonical.finish();
        expect(canonical.platformCounts()).toEqual(full.platformCounts());
        expect(canonical.timelines.map((t) => [t.deviceId, t.platform])).toEqual(full.timelines.map((t) => [t.deviceId, t.platform]));
      }),
    );
    const phone = new Comparison({ vendors: false });
    for (const r of records([launch(0), ev(5)])) phone.add(r);
    expect(compareReport(phone, { lines: 2, skipped: 0 }).devices).toEqual({ total: 1, mobile: 1, web: 0 });
  });
});

describe('compare --html timelines', () => {
  /** The sessions drawn on the page's timelines, per column label (each rect's title starts with it). */
  function drawn(html: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of html.matchAll(/<rect class="session"[^>]*><title>([^:<]+):/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
    return counts;
  }
  /** The sessions of each column as --json says, per column label. */
  const counted = (r: CompareReport): Record<string, number> => Object.fromEntries(r.columns.filter((c) => c.sessions > 0).map((c) => [c.label, c.sessions]));

  it('draws the mobile sessions a vendor closed before anything decided the device was mobile', () => {
    // Events only at first (platform undecided): 2000 s apart, past Snowplow's 30 min, so Snowplow
    // mobile closes a session; the background at 2010 s then makes the device mobile. CleverTap's
    // mobile SDKs check their 20 min only at a foreground, so CleverTap mobile keeps one session
    // (its web model, which times out between events, would have closed one: the mobile one is drawn).
    const c = new Comparison({ sampleDevices: 1 });
    for (const r of records([ev(0), ev(2000), bg(2010)])) c.add(r);
    const report = compareReport(c, { lines: 3, skipped: 0 });
    expect(column(report, 'clevertap').sessions).toBe(1);
    expect(column(report, 'snowplow').sessions).toBe(2);
    const timeline = report.timelines[0]!;
    expect(timeline.platform).toBe('mobile');
    expect(timeline.columns.clevertap!.length).toBe(1);
    expect(timeline.columns.snowplow!.length).toBe(2);
    expect(drawn(renderCompareHtml(report))).toEqual(counted(report));
  });

  it('with every device sampled, the timelines draw exactly the sessions --json counts, per column (any log)', () => {
    const line = fc.record({
      deviceId: fc.constantFrom('a', 'b', 'c'),
      gap: fc.integer({ min: 0, max: 3000 }),
      type: fc.constantFrom('event', 'event', 'event', 'launch', 'foreground', 'background') as fc.Arbitrary<LineSpec['type']>,
      platform: fc.constantFrom(undefined, undefined, undefined, undefined, 'mobile', 'web') as fc.Arbitrary<'mobile' | 'web' | undefined>,
      user: fc.constantFrom(undefined, undefined, undefined, null, 'u1', 'u2'),
      neutral: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.boolean(), fc.constantFrom('session-start', 'background') as fc.Arbitrary<'session-start' | 'background'>, (spec, resume, clock) => {
        let at = 0;
        const lines: LineSpec[] = spec.map((s) => ({ deviceId: s.deviceId, at: (at += s.gap), type: s.type, platform: s.platform, userId: s.user, neutral: s.type === 'event' && s.neutral }));
        const c = new Comparison({ sampleDevices: 3, brazeMobileClock: clock, engine: { resumeOnRelaunch: resume } });
        for (const r of records(lines)) c.add(r);
        const report = compareReport(c, { lines: lines.length, skipped: 0 });
        expect(drawn(renderCompareHtml(report))).toEqual(counted(report));
      }),
      { numRuns: 300 },
    );
  });
});

describe('compare --html timeline lanes', () => {
  /** Each session rect of the page: its x and width, and the width of its svg. */
  function rects(html: string): { x: number; width: number; svg: number; title: string }[] {
    const out: { x: number; width: number; svg: number; title: string }[] = [];
    for (const figure of html.matchAll(/<figure class="timeline">.*?<\/figure>/g)) {
      const svg = Number(/<svg viewBox="0 0 (\d+) /.exec(figure[0])![1]);
      for (const m of figure[0].matchAll(/<rect class="session" x="([^"]+)" y="[^"]+" width="([^"]+)"[^>]*><title>([^<]*)</g)) out.push({ x: Number(m[1]), width: Number(m[2]), svg, title: m[3]! });
    }
    return out;
  }
  const LABELS_END = 90; // where the lane labels end and the drawing begins

  it('draws every session inside the drawing area, also one before the first line (out of order) and Braze Web\'s 10 s minimum', () => {
    // Line 3 is 1000 s earlier than the device's first line: past the timeout, so the engine ends the
    // session and starts one there. A lone web event: Braze Web reports 10 s after it.
    const c = new Comparison({ sampleDevices: 2 });
    for (const r of records([ev(1000), ev(1010), ev(0), ev(5), ev(2000)], 'a')) c.add(r);
    for (const r of records([ev(0)], 'b')) c.add(r);
    for (const r of rects(renderCompareHtml(compareReport(c, { lines: 6, skipped: 0 })))) {
      expect(r.x, r.title).toBeGreaterThanOrEqual(LABELS_END);
      expect(r.x + r.width, r.title).toBeLessThanOrEqual(r.svg);
    }
  });

  it('draws every session inside the drawing area (any log, lines out of order)', () => {
    const line = fc.record({
      deviceId: fc.constantFrom('a', 'b'),
      at: fc.integer({ min: 0, max: 8000 }),
      type: fc.constantFrom('event', 'event', 'launch', 'foreground', 'background') as fc.Arbitrary<LineSpec['type']>,
      platform: fc.constantFrom(undefined, undefined, 'mobile', 'web') as fc.Arbitrary<'mobile' | 'web' | undefined>,
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), (lines) => {
        const c = new Comparison({ sampleDevices: 2 });
        for (const r of records(lines)) c.add(r);
        for (const r of rects(renderCompareHtml(compareReport(c, { lines: lines.length, skipped: 0 })))) {
          expect(r.x, r.title).toBeGreaterThanOrEqual(LABELS_END);
          expect(r.x + r.width, r.title).toBeLessThanOrEqual(r.svg);
        }
      }),
      { numRuns: 300 },
    );
  });
});
