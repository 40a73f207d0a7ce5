/**
 * Conformance with CleverTap's real SDKs. The web SDK (pinned devDependency) runs the scenario in
 * Chromium; the kit runs it through a hub; both are normalized to the fields they share and compared
 * item by item. Every difference that remains is a row of the table "Differences from CleverTap's
 * SDKs" in docs/kits/clevertap.md, and each row is a normalizer here: the test fails on a difference
 * not listed, and on a listed one that no longer occurs. The Android format is pinned by a fixture
 * written from the Android source (android-fixture.ts): every field Android sends is sent by the kit
 * or listed.
 */
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANDROID_HEADER_FIELDS, ANDROID_ITEM_FIELDS } from './android-fixture';
import { ACCOUNT_ID, normalizeKit, normalizeWebSdk, runKit, START, STEPS, type Normalized } from './conformance/scenario';
import { runWebSdk, SDK_VERSION } from './conformance/web-sdk-run';
import { Device } from './harness';

/** The codes of the table's rows, in order. */
function listedDifferences(): string[] {
  const doc = readFileSync(new URL('../../../docs/kits/clevertap.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf("## Differences from CleverTap's SDKs"));
  const table = section.slice(0, section.indexOf('\n## ', 5) >>> 0);
  return [...table.matchAll(/^\| `([a-z0-9_-]+)` \|/gm)].map((m) => m[1]!);
}

type Side = { web: Normalized[]; kit: Normalized[] };
const dropExtra = (items: Normalized[], ...keys: string[]) => {
  let changed = false;
  for (const i of items) {
    for (const k of keys) {
      const [a, b] = k.split('.') as [string, string?];
      if (b === undefined ? a in i.extra : (i.extra[a] as Record<string, unknown> | undefined)?.[b] !== undefined) {
        changed = true;
        if (b === undefined) delete i.extra[a];
        else {
          delete (i.extra[a] as Record<string, unknown>)[b];
          if (!Object.keys(i.extra[a] as object).length) delete i.extra[a];
        }
      }
    }
  }
  return changed;
};
const dropItems = (items: Normalized[], drop: (i: Normalized, at: number) => boolean) => {
  const before = items.length;
  const kept = items.filter((i, at) => !drop(i, at));
  items.splice(0, items.length, ...kept);
  return kept.length !== before;
};

/** Each listed difference: makes both sides agree on it; returns whether it changed anything. */
const NORMALIZERS: Record<string, (side: Side) => boolean> = {
  'web-wzrk-fetch': ({ web }) => dropItems(web, (i) => i.name === 'wzrk_fetch'),
  'web-ping': ({ web }) => dropItems(web, (i) => i.kind === 'ping'),
  'web-cpg': ({ web }) => dropExtra(web, 'cpg'),
  'web-wzrk-camp': ({ web }) => dropExtra(web, 'WZRK_CAMP'),
  'web-af-id': ({ web }) => dropExtra(web, '_af', '_id'),
  'web-profile-tz': ({ web }) => dropExtra(web, 'profile.tz'),
  'web-oul-flags': ({ web }) => dropExtra(web, 'isOUL', 'rc'),
  'web-wzrk-error': ({ web }) => dropExtra(web, 'wzrk_error'),
  'web-debug': ({ web }) => dropExtra(web, 'debug'),
  'kit-ep-f-lsl': ({ kit }) => dropExtra(kit, 'ep', 'f', 'lsl'),
  'kit-page-per-session': ({ kit }) => dropItems(kit, (i, at) => i.kind === 'page' && at > 0),
  'kit-profile-between-sessions': ({ kit }) => {
    let changed = false;
    kit.forEach((i, at) => {
      if (i.kind === 'profile' && i.session === 0 && kit[at + 1]) (i.session = kit[at + 1]!.session), (changed = true);
    });
    return changed;
  },
  'kit-logout-new-session': ({ kit }) => {
    const after = kit.find((i) => i.name === 'Signed out')?.session;
    const before = kit[kit.findIndex((i) => i.name === 'Signed out') - 1]?.session;
    if (after === undefined || before === undefined || after === before) return false;
    for (const i of kit) if (i.session >= after) i.session -= 1;
    return true;
  },
};

describe(`CleverTap conformance`, () => {
  it(`the kit sends what clevertap-web-sdk ${SDK_VERSION} sends for the same visit, but for the differences docs/kits/clevertap.md lists`, async () => {
    // Moving off the SDK: the kit's reading of what the SDK stored, run in the same page afterwards.
    const adopt = buildSync({
      stdin: { contents: `import { webSdkState } from './src/web-sdk-state'; import { emptyLedger } from './src/session-ledger';
        const ledger = emptyLedger(); const session = webSdkState(ledger, ${JSON.stringify(ACCOUNT_ID)}, Date.now()); (globalThis as any).adopted = { ledger, session };`, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
      bundle: true, write: false, format: 'iife',
    }).outputFiles[0]!.text;
    const [web, kit] = await Promise.all([runWebSdk(ACCOUNT_ID, STEPS, `${adopt}; adopted`), runKit()]);
    const side: Side = { web: normalizeWebSdk(web.requests), kit: normalizeKit(kit.net.itemsWithG()) };
    const listed = listedDifferences();
    const applied = Object.keys(NORMALIZERS);
    // The table and the normalizers are the same list.
    expect(listed.filter((c) => !c.startsWith('android-')).sort()).toEqual([...applied].sort());
    const stale = applied.filter((code) => !NORMALIZERS[code]!(side));
    expect(stale, 'listed differences that no longer occur').toEqual([]);
    expect(side.kit).toEqual(side.web);
    // What the scenario is about, on the web SDK's side: a second person got a device id of their own,
    // the system event was refused (513), inactivity past 20 minutes started a new session.
    expect(new Set(side.web.map((i) => i.guid))).toEqual(new Set([1, 2]));
    expect(side.web.some((i) => i.name === 'Notification Clicked')).toBe(false);
    expect(side.web.at(-1)!.session).toBeGreaterThan(side.web.find((i) => i.name === 'Signed out')!.session);
    // The SDK kept its session cookie and stamped its session ids itself (not only the server's answers).
    expect(web.cookies).toContain(`WZRK_S_${ACCOUNT_ID}=`);
    expect(web.requests.filter((r) => r.query.type === 'push' && r.payload.evtName === 'Checkout').map((r) => r.payload.s)).toEqual([web.requests[0]!.answeredSession]);

    // The kit, started where the SDK ran, goes on under the SDK's device id and identity ids.
    const lastGuid = web.requests.at(-1)!.answeredGuid;
    const guidOf = (identity: string) => web.requests.find((r) => (r.payload.profile as { Identity?: string } | undefined)?.Identity === identity)!.answeredGuid;
    expect(web.inPage).toMatchObject({ ledger: { g: lastGuid, ids: [['user-1', guidOf('user-1')], ['user-2', guidOf('user-2')]] } });
  }, 60_000);

  it('the kit sends the fields CleverTap\'s Android SDK sends in /a1, but for those docs/kits/clevertap.md lists', async () => {
    const d = new Device({ kit: { os: 'Android' } });
    await d.launch();
    d.hub.logEvent('a');
    await d.hub.flush();
    d.hub.logEvent('b');
    await d.finish();
    const header = new Set(d.net.uploads.flatMap((u) => Object.keys(u.header)));
    const item = new Set(d.net.items().flatMap((i) => Object.keys(i).filter((k) => k !== 'evtName' && k !== 'evtData' && k !== 'profile')));
    const missing = [
      ...ANDROID_HEADER_FIELDS.filter(([f]) => !header.has(f)).map(([f]) => `android-header-${f.replace(/_/g, '')}`),
      ...ANDROID_ITEM_FIELDS.filter(([f]) => !item.has(f)).map(([f]) => `android-item-${f}`),
    ];
    expect(missing.sort()).toEqual(listedDifferences().filter((c) => c.startsWith('android-')).sort());
    // And the kit sends nothing Android does not.
    expect([...header].filter((f) => !ANDROID_HEADER_FIELDS.some(([a]) => a === f))).toEqual([]);
    expect([...item].filter((f) => !ANDROID_ITEM_FIELDS.some(([a]) => a === f))).toEqual([]);
  });
});
