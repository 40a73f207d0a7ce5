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
}

function packageInfo(dir: string): PackageInfo {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
  return { name: manifest.name, dependencies: Object.keys(manifest.dependencies ?? {}) };
}

/** `export { brazeKit } from './braze-kit'` → ['brazeKit']: the kit factories an app calls. */
function kitFactories(indexSource: string): string[] {
  const names = new Set<string>();
  for (const [, list] of indexSource.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of list!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()!.trim();
      if (/^[a-z][A-Za-z0-9]*Kit$/.test(name)) names.add(name);
    }
  }
  for (const [, name] of indexSource.matchAll(/export\s+(?:async\s+)?function\s+([a-z][A-Za-z0-9]*Kit)\b/g)) names.add(name!);
  return [...names];
}

/**
 * What the budgets cover, found in `packages/`:
 * - core + delivery: everything both packages export (an upper bound on any import of them), with
 *   their dependencies (eventemitter3, uuid);
 * - each `packages/kit-*`: everything it exports, with core, delivery and their dependencies left
 *   out (an app already ships them with the row above), its own dependencies in;
 * - total: an app using the hub and every kit (`createHub` + each kit factory), tree-shaken, with
 *   every dependency.
 */
export function sessionHubTargets(packagesDir: string): SessionHubTargets {
  const core = packageInfo(join(packagesDir, 'core'));
  const delivery = packageInfo(join(packagesDir, 'delivery'));
  const shared = [...new Set([core.name, delivery.name, ...core.dependencies, ...delivery.dependencies])];
  const notes: string[] = [];
  const targets: SessionHubTarget[] = [
    {
      name: 'core + delivery',
      kind: 'core',
      budget: BUDGETS.coreWithDelivery,
      entry: `export * from '${core.name}';\nexport * from '${delivery.name}';\n`,
    },
  ];
  const kits: string[] = [];
  const appImports = [`export { createHub } from '${core.name}';`];
  for (const dir of readdirSync(packagesDir).filter((d) => d.startsWith('kit-')).sort()) {
    const index = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(index)) {
      notes.push(`packages/${dir}: no src/index.ts yet, not measured`);
      continue;
    }
    const kit = packageInfo(join(packagesDir, dir));
    const factories = kitFactories(readFileSync(index, 'utf8'));
    if (factories.length === 0) {
      notes.push(`${kit.name}: exports no kit factory (a function named …Kit) yet, not measured`);
      continue;
    }
    kits.push(kit.name);
    targets.push({ name: kit.name.replace(/^@sessionhub\//, ''), kind: 'kit', budget: BUDGETS.kit, entry: `export * from '${kit.name}';\n`, external: shared });
    appImports.push(`export { ${factories.join(', ')} } from '${kit.name}';`);
  }
  targets.push({
    name: kits.length === 3 ? 'core + 3 kits (app)' : `core + ${kits.length} kit(s) (app)`,
    kind: 'total',
    budget: BUDGETS.total,
    entry: appImports.join('\n') + '\n',
  });
  if (kits.length !== 3) notes.push(`the total covers ${kits.length} kit(s); the budget is for core + 3 kits`);
  return { targets, kits, notes };
}
