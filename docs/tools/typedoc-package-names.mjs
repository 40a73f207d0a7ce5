// @ts-check
/**
 * TypeDoc plugin: names each entry point's module after the import path users write
 * (`@sessionhub/core`, `@sessionhub/core/node`, …) instead of its file path (`core/src/node`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const name = file ? importPath(file) : undefined;
    if (name) reflection.name = name;
  });
}

/** `<pkg>/src/index.ts` → the package's name; `<pkg>/src/<entry>.ts` → `<name>/<entry>`. */
function importPath(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8'));
    const entry = basename(file).replace(/\.[cm]?tsx?$/, '');
    if (relative(dir, dirname(file)) !== 'src' || typeof name !== 'string') return undefined;
    return entry === 'index' ? name : `${name}/${entry}`;
  }
  return undefined;
}
