import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { renderTable, kb, times } from '../report/table';
import { measureBundle, type BundleFigure, type ModuleShare } from './bundle';
import { PEER_TARGETS } from './peer-targets';
import { sessionHubTargets, KB, type SessionHubTarget } from './sessionhub-targets';

export interface SessionHubSize extends BundleFigure {
  readonly kind: SessionHubTarget['kind'];
  readonly budget: number;
  /** The total the vendors' ratios refer to. */
  readonly reference: boolean;
  readonly withinBudget: boolean;
  /**
   * For a bundle not yet within its budget: the most it may weigh (bench/size-ceilings.json), so
   * that it can only shrink until the budget holds. null when none is recorded.
   */
  readonly ceiling: number | null;
  /** What `pnpm size` enforces: within the budget, or else within the ceiling. */
  readonly passes: boolean;
  /** For a bundle over budget: its heaviest source modules (minified bytes), bundled from src/. */
  readonly heaviest?: readonly ModuleShare[];
}

export interface PeerSize extends BundleFigure {
  readonly package: string;
  readonly version: string;
  readonly replacedByKits: boolean;
  readonly note?: string;
  /** gzipped / SessionHub's total gzipped. */
  readonly ratio: number;
}

export interface SizeResult {
  readonly kilobyte: number;
  readonly sessionhub: readonly SessionHubSize[];
  readonly peers: readonly PeerSize[];
  /** Braze + Snowplow + CleverTap SDKs: what the three kits replace. */
  readonly vendorStack: { readonly gzipped: number; readonly ratio: number } | null;
  readonly notes: readonly string[];
}

/** Where the ceilings of bundles still over budget are kept (bench/size-ceilings.json). */
export const CEILINGS_FILE = 'size-ceilings.json';

/**
 * The recorded ceilings: bundle name → bytes (min+gz). A ceiling holds a bundle that is over its
 * budget at the size it has reached, so CI fails on any growth while the budget is not met yet.
 */
export function readCeilings(benchDir: string): Record<string, number> {
  const path = join(benchDir, CEILINGS_FILE);
  if (!existsSync(path)) return {};
  const { ceilings } = JSON.parse(readFileSync(path, 'utf8')) as { ceilings?: Record<string, unknown> };
  const out: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(ceilings ?? {})) {
    if (!Number.isSafeInteger(bytes) || (bytes as number) <= 0) throw new Error(`${CEILINGS_FILE}: the ceiling of "${name}" must be a positive whole number of bytes`);
    out[name] = bytes as number;
  }
  return out;
}

/** The condition under which our packages export their TypeScript sources (per-module breakdown). */
const SOURCE_CONDITION = '@sessionhub/source';

/**
 * Measures SessionHub's bundles (from the packages' dist/, as an app imports them) against the budgets,
 * and with `peers`, the vendor SDKs bundled the same way.
 */
export async function runSizeBench(benchDir: string, options: { peers: boolean }): Promise<SizeResult> {
  const packagesDir = join(benchDir, '..', 'packages');
  const { targets, notes } = sessionHubTargets(packagesDir);
  const ceilings = readCeilings(benchDir);
  const unknown = Object.keys(ceilings).filter((name) => !targets.some((t) => t.name === name));
  if (unknown.length > 0) throw new Error(`${CEILINGS_FILE} names bundles that are not measured: ${unknown.join(', ')}`);
  const sessionhub: SessionHubSize[] = [];
  for (const target of targets) {
    const figure = await measureBundle(target, benchDir);
    const withinBudget = figure.gzipped <= target.budget;
    let heaviest: ModuleShare[] | undefined;
    if (!withinBudget) {
      // dist/ is one file per package; the sources show which module weighs.
      const fromSource = await measureBundle(target, benchDir, [SOURCE_CONDITION]);
      heaviest = fromSource.modules.slice(0, 12);
    }
    const ceiling = ceilings[target.name] ?? null;
    const passes = withinBudget || (ceiling !== null && figure.gzipped <= ceiling);
    sessionhub.push({
      ...figure,
      kind: target.kind,
      budget: target.budget,
      reference: target.reference === true,
      withinBudget,
      ceiling,
      passes,
      ...(heaviest ? { heaviest } : {}),
    });
  }
  const total = sessionhub.find((s) => s.reference)!;
  const peers: PeerSize[] = [];
  if (options.peers) {
    const require = createRequire(join(benchDir, 'package.json'));
    for (const peer of PEER_TARGETS) {
      const figure = await measureBundle(peer, benchDir);
      peers.push({
        ...figure,
        package: peer.package,
        version: installedVersion(require, peer.package, benchDir),
        replacedByKits: peer.replacedByKits,
        ...(peer.note ? { note: peer.note } : {}),
        ratio: figure.gzipped / total.gzipped,
      });
    }
  }
  const replaced = peers.filter((p) => p.replacedByKits);
  const stack = replaced.reduce((sum, p) => sum + p.gzipped, 0);
  return {
    kilobyte: KB,
    sessionhub,
    peers,
    vendorStack: replaced.length > 0 ? { gzipped: stack, ratio: stack / total.gzipped } : null,
    notes,
  };
}

function installedVersion(require: NodeJS.Require, name: string, benchDir: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    // Packages whose exports map hides package.json: read it from the bench's node_modules.
    return (JSON.parse(readFileSync(join(benchDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  }
}

/** The size tables, and the heavy modules of any bundle over budget. */
export function renderSize(result: SizeResult): string {
  const total = result.sessionhub.find((s) => s.reference)!;
  const rows: string[][] = result.sessionhub.map((s) => [
    `SessionHub ${s.name}${s.reference ? ' *' : ''}`,
    kb(s.minified),
    kb(s.gzipped),
    kb(s.gzippedInitial),
    times(s.gzipped / total.gzipped),
    // "OVER" only where the check fails: past the ceiling, or past a budget with no ceiling.
    `≤ ${kb(s.budget)} ${s.withinBudget ? 'ok' : s.ceiling !== null && s.gzipped <= s.ceiling ? `not yet, held ≤ ${kb(s.ceiling)}` : `OVER${s.ceiling === null ? '' : ` ceiling ${kb(s.ceiling)}`}`}`,
  ]);
  for (const p of result.peers) {
    rows.push([`${p.name} ${p.version}`, kb(p.minified), kb(p.gzipped), kb(p.gzippedInitial), times(p.ratio), '']);
  }
  if (result.vendorStack) {
    rows.push(['Braze + Snowplow + CleverTap SDKs', '', kb(result.vendorStack.gzipped), '', times(result.vendorStack.ratio), '']);
  }
  const out = [
    'Size: esbuild, browser, ESM, minified, ES2020, code splitting; gzip -9 per chunk, summed over all chunks\n' +
      '(lazy ones too: Segment loads its core lazily from load()); "initial" = the entry and its static imports. KB = 1,000 bytes.',
    renderTable(['bundle', 'min KB', 'min+gz KB', 'initial min+gz KB', '× SessionHub *', 'budget (min+gz)'], rows),
  ];
  const notes = [
    ...result.peers.filter((p) => p.note).map((p) => `${p.name}: ${p.note}`),
    'core + delivery: everything both export to browsers (main entries, core/browser), with eventemitter3 and uuid.',
    'each kit: everything it exports, without core, delivery and their dependencies (the app ships them once).',
    'apps: the hub factory + every kit factory as an app imports them, tree-shaken, with all dependencies;\n' +
      '    * = the total the vendor SDKs are compared with.',
    `"held ≤ x": a bundle not yet within its budget may not grow past the ceiling in bench/${CEILINGS_FILE} (pnpm size fails).`,
    ...result.notes,
  ];
  out.push(notes.map((n) => `  - ${n}`).join('\n'));
  for (const s of result.sessionhub.filter((x) => x.heaviest)) {
    out.push(
      `SessionHub ${s.name} is not yet within its budget: ${kb(s.gzipped)} KB, budget ${kb(s.budget)} KB (min+gz). Heaviest modules (minified bytes, from src/):\n` +
        s.heaviest!.map((m) => `  ${String(m.bytes).padStart(7)}  ${m.module}`).join('\n'),
    );
  }
  return out.join('\n\n');
}
