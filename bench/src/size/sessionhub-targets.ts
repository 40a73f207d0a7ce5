import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleSpec } from './bundle';

/** 1 KB = 1,000 bytes (as size-limit and bundlers report kB): the stricter reading of the budgets. */
export const KB = 1000;

/** The CI size budgets (min + gzip -9), from issue 9. */
export const BUDGETS = {
  coreWithDelivery: 8 * KB,
  kit: 3 * KB,
  total: 14 * KB,
} as const;

/** A SessionHub bundle and its budget. */
export interface SessionHubTarget extends BundleSpec {
  readonly kind: 'core' | 'kit' | 'total';
  readonly budget: number;
  /** The total the vendor SDKs are compared with: the browser app's when core has a browser entry. */
  readonly reference?: boolean;
}

export interface SessionHubTargets {
  readonly targets: readonly SessionHubTarget[];
  /** Kits found (package names), in directory order. */
  readonly kits: readonly string[];
  /** Why some expected piece is not measured yet (a kit without src/index.ts, …). */
  readonly notes: readonly string[];
}

interface PackageInfo {
  readonly name: string;
  readonly dependencies: readonly string[];
  /** Subpath exports (`./browser`, `./node`, …). */
  readonly subpaths: readonly string[];
}

function packageInfo(dir: string): PackageInfo {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    exports?: Record<string, unknown>;
  };
  return {
    name: manifest.name,
    dependencies: Object.keys(manifest.dependencies ?? {}),
    subpaths: Object.keys(manifest.exports ?? {}).filter((k) => k.startsWith('./') && !k.endsWith('.json')),
  };
}

/** Names a module exports by name (`export { a, b as c } from …`, `export function d`), matching `pattern`. */
function exportedNames(source: string, pattern: RegExp): string[] {
  const names = new Set<string>();
  for (const [, list] of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of list!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()!.trim();
      if (pattern.test(name)) names.add(name);
    }
  }
  for (const [, name] of source.matchAll(/export\s+(?:async\s+)?function\s+([A-Za-z0-9_$]+)/g)) if (pattern.test(name!)) names.add(name!);
  return [...names];
}

/** The kit factories an app calls: `brazeKit`, … */
const KIT_FACTORY = /^[a-z][A-Za-z0-9]*Kit$/;
/** A hub factory of a platform entry: `createBrowserHub`, … */
const HUB_FACTORY = /^create[A-Za-z0-9]*Hub$/;

/**
 * What the budgets cover, found in `packages/`:
 * - core + delivery: everything both packages export to browsers (the main entries and core's
 *   `./browser`; not `./node`), an upper bound on any import of them, with their dependencies
 *   (eventemitter3, uuid);
 * - each `packages/kit-*`: everything it exports, with core, delivery and their dependencies left
 *   out (an app already ships them with the row above), its own dependencies in;
 * - app totals: an app using the hub and every kit (`createHub` + each kit factory; and a web app:
 *   `createBrowserHub` + each kit factory), tree-shaken, with every dependency.
 */
export function sessionHubTargets(packagesDir: string): SessionHubTargets {
  const core = packageInfo(join(packagesDir, 'core'));
  const delivery = packageInfo(join(packagesDir, 'delivery'));
  const shared = [...new Set([core.name, delivery.name, ...core.dependencies, ...delivery.dependencies])];
  const notes: string[] = [];
  // Platform entries that run in browsers: `./browser` (and any other than `./node`).
  const browserEntries = core.subpaths.filter((p) => p !== './node').map((p) => `${core.name}/${p.slice(2)}`);
  const targets: SessionHubTarget[] = [
    {
      name: 'core + delivery',
      kind: 'core',
      budget: BUDGETS.coreWithDelivery,
      entry: [core.name, ...browserEntries, delivery.name].map((m) => `export * from '${m}';\n`).join(''),
    },
  ];
  const hubFactories: { label: string; module: string; factory: string }[] = [{ label: 'app', module: core.name, factory: 'createHub' }];
  for (const subpath of core.subpaths.filter((p) => p !== './node')) {
    const source = join(packagesDir, 'core', 'src', `${subpath.slice(2)}.ts`);
    if (!existsSync(source)) continue;
    for (const factory of exportedNames(readFileSync(source, 'utf8'), HUB_FACTORY)) {
      hubFactories.push({ label: `${subpath.slice(2)} app`, module: `${core.name}/${subpath.slice(2)}`, factory });
    }
  }
  const kits: string[] = [];
  const kitImports: string[] = [];
  for (const dir of readdirSync(packagesDir).filter((d) => d.startsWith('kit-')).sort()) {
    const index = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(index)) {
      notes.push(`packages/${dir}: no src/index.ts yet, not measured`);
      continue;
    }
    const kit = packageInfo(join(packagesDir, dir));
    const factories = exportedNames(readFileSync(index, 'utf8'), KIT_FACTORY);
    if (factories.length === 0) {
      notes.push(`${kit.name}: exports no kit factory (a function named …Kit) yet, not measured`);
      continue;
    }
    kits.push(kit.name);
    targets.push({ name: kit.name.replace(/^@sessionhub\//, ''), kind: 'kit', budget: BUDGETS.kit, entry: `export * from '${kit.name}';\n`, external: shared });
    kitImports.push(`export { ${factories.join(', ')} } from '${kit.name}';`);
  }
  // Compare browser SDKs with a web app when there is a browser entry, else with the plain app.
  const reference = hubFactories.find((h) => h.module.endsWith('/browser')) ?? hubFactories[0]!;
  for (const hub of hubFactories) {
    targets.push({
      ...(hub === reference ? { reference: true } : {}),
      name: `${hub.factory} + ${kits.length} kit${kits.length === 1 ? '' : 's'} (${hub.label})`,
      kind: 'total',
      budget: BUDGETS.total,
      entry: [`export { ${hub.factory} } from '${hub.module}';`, ...kitImports].join('\n') + '\n',
    });
  }
  if (kits.length !== 3) notes.push(`the total covers ${kits.length} kit(s); the budget is for core + 3 kits`);
  return { targets, kits, notes };
}
