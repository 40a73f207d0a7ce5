/**
 * For what runs code in Hermes, React Native's engine (the React Native runtime test, `pnpm bench
 * hermes`): its command-line VM, and a bundle lowered as Metro lowers a release build.
 * Repository-internal: never shipped.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { transformSync } from '@babel/core';
// React Native's preset for Babel, as its Metro bundler uses it (typed in react-native-babel-preset.d.ts).
import reactNativePreset from '@react-native/babel-preset';

const require = createRequire(import.meta.url);
/** A plugin the preset depends on (pnpm lets only the preset resolve it). */
const fromPreset = (name: string): object => createRequire(require.resolve('@react-native/babel-preset'))(name);

/**
 * The Hermes CLI of the `hermes-engine-cli` devDependency (0.12, the newest on npm) for this machine;
 * a platform it has no build for throws, saying so.
 */
export function hermesCli(): string {
  const dir = dirname(require.resolve('hermes-engine-cli/package.json'));
  const builds: Partial<Record<string, string>> = { linux: 'linux64-bin/hermes', darwin: 'osx-bin/hermes', win32: 'win64-bin/hermes.exe' };
  const build = process.arch === 'x64' || process.platform === 'darwin' ? builds[process.platform] : undefined;
  if (!build) throw new Error(`hermes-engine-cli has no Hermes for ${process.platform}-${process.arch}`);
  return join(dir, build);
}

/** Whether `hermes` parses class syntax (0.12 does not; React Native's Hermes V1 does). */
export function parsesClasses(hermes: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-hermes-class-'));
  try {
    writeFileSync(join(dir, 'class.js'), 'class A {}');
    return spawnSync(hermes, [join(dir, 'class.js')]).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `code` (one script) as React Native's own Babel preset makes it for a release build: the Hermes
 * profile, its default (block scoping, destructuring and async functions lowered, generators and
 * `for … of` left to the engine), `dev: false`, without `@babel/runtime` imports (the CLI has no
 * `require`). The Hermes profile keeps class syntax: for a Hermes that cannot parse it (`classes`
 * false), classes are lowered too, as the preset's other profile does.
 */
export function lowerForHermes(code: string, classes: boolean): string {
  return transformSync(code, {
    babelrc: false,
    configFile: false,
    compact: true,
    presets: [[reactNativePreset, { unstable_transformProfile: 'hermes-stable', dev: false, enableBabelRuntime: false, disableImportExportTransform: true }]],
    plugins: classes ? [] : [fromPreset('@babel/plugin-transform-classes')],
  })!.code!;
}
