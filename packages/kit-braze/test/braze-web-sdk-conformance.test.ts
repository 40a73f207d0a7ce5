/**
 * The kit against Braze's own Web SDK (the pinned devDependency), both in real Chromium under
 * Playwright's fake clock, every request answered locally: each scenario runs on both sides, and
 * every field of every request is compared. What still differs must be listed, with its reason, in
 * the table of docs/kits/braze.md ("Differences from Braze's Web SDK"), and every row there must
 * still differ: the table is the test's expectation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { BRAZE_WIRE_SDK_VERSION } from '@sessionhub/kit-braze';
import { compareRequests, listedDifferences, type Difference } from './conformance/compare';
import { DATA_URL, openKit, openSdk, SDK_VERSION, T0, type Side } from './conformance/pages';
import { kitStep, runScenario, SCENARIOS, sdkStep } from './conformance/scenarios';

const DOC = readFileSync(new URL('../../../docs/kits/braze.md', import.meta.url), 'utf8');

let browsers: TestBrowser[] = [];
/** Each scenario's two sides, run once for all the tests below. */
let runs: { sdk: Side; kit: Side }[] = [];
/** The kit's health at the end of each scenario. */
let kitHealth: unknown[] = [];

beforeAll(async () => {
  browsers = await Promise.all([launchChromium(), launchChromium()]);
  // One browser per side (Playwright's clock belongs to a browser context); scenarios one after the other.
  const run = async (browser: TestBrowser, open: typeof openSdk, step: typeof sdkStep): Promise<Side[]> => {
    const sides: Side[] = [];
    for (const [i, scenario] of SCENARIOS.entries()) {
      const side = await open(browser.context, T0 + i * 3_600_000);
      await runScenario(side, scenario, step);
      if (open == openKit) kitHealth[i] = await side.page.evaluate(() => window.hub.getKitHealth().braze);
      // Closed: the clock, shared by the context's pages, moves on for the next scenario.
      await side.page.close();
      sides.push(side);
    }
    return sides;
  };
  const [sdk, kit] = await Promise.all([run(browsers[0]!, openSdk, sdkStep), run(browsers[1]!, openKit, kitStep)]);
  runs = SCENARIOS.map((_, i) => ({ sdk: sdk[i]!, kit: kit[i]! }));
}, 120_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

describe("the kit's requests against Braze's Web SDK's, in Chromium", () => {
  it('runs the pinned SDK, the version the kit writes like', () => {
    expect(SDK_VERSION).toBe('6.13.0');
    expect(BRAZE_WIRE_SDK_VERSION).toBe(SDK_VERSION);
  });

  it('both sides sent requests in every scenario, to the same endpoint, without page errors', () => {
    for (const [i, { sdk, kit }] of runs.entries()) {
      const name = SCENARIOS[i]!.name;
      expect(sdk.requests.length, name).toBeGreaterThan(1);
      expect(kit.requests.length, name).toBeGreaterThan(1);
      expect(new Set([...sdk.requests, ...kit.requests].map((r) => `${r.method} ${r.url}`)), name).toEqual(new Set([`POST ${DATA_URL}`]));
      expect([...sdk.console, ...kit.console].filter((line) => line.startsWith('pageerror')), name).toEqual([]);
    }
  });

  it('differ only where docs/kits/braze.md lists a difference, and in every listed one', () => {
    const listed = listedDifferences(DOC);
    const found: Difference[] = runs.flatMap(({ sdk, kit }, i) => compareRequests(SCENARIOS[i]!.name, sdk.requests, kit.requests));
    // To see every difference and both sides' requests (when updating the table): BRAZE_CONFORMANCE_OUT=file.json
    const out = process.env.BRAZE_CONFORMANCE_OUT;
    if (out) writeFileSync(out, JSON.stringify({ found, runs: runs.map(({ sdk, kit }, i) => ({ scenario: SCENARIOS[i]!.name, sdk: sdk.requests, kit: kit.requests })) }, null, 1));
    expect(listed.length).toBeGreaterThan(0);
    const isListed = (d: Difference) => listed.some((row) => row.field == d.field && (row.scenario == 'all' || row.scenario == d.scenario));
    expect(found.filter((d) => !isListed(d))).toEqual([]);
    const stale = listed.filter((row) => !found.some((d) => d.field == row.field && (row.scenario == 'all' || row.scenario == d.scenario)));
    expect(stale).toEqual([]);
    for (const row of listed) {
      if (row.scenario != 'all') expect(SCENARIOS.map((s) => s.name)).toContain(row.scenario);
    }
  });

  it('an error answer shows in the kit health with one warning, and the refused items are not sent again', async () => {
    const i = SCENARIOS.findIndex((s) => s.name == 'an error answer');
    const { kit } = runs[i]!;
    const health = kitHealth[i] as import('@sessionhub/core').KitHealth;
    // The device, the ss and two events, refused; nothing retried.
    expect(health?.delivery).toMatchObject({ dropped: { rejected: 4 }, queued: 0, retried: 0 });
    expect(health?.delivery?.lastError).toContain('invalid_api_key');
    const warnings = kit.console.filter((line) => line.includes('invalid_api_key'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('check apiKey and baseUrl');
    const sentNames = kit.requests.flatMap((r) => (r.body.events as { name: string; data: { n?: string } }[]).map((e) => e.data.n ?? e.name));
    expect(sentNames.filter((n) => n == 'refused')).toHaveLength(1);
  });
});
