/**
 * The React Native app of hermes-runtime.test.ts in Hermes itself: its command-line VM from npm
 * (hermes-engine-cli, 0.12, the oldest Hermes React Native apps still ship; no `btoa`, no class
 * syntax, no `crypto`), after React Native's own Babel preset as Metro applies it to a release build.
 * Where the node:vm test holds the app to Hermes's global names, this one runs it in Hermes's engine:
 * its built-ins, its regular expressions, its promise jobs, its strings.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermesCli, lowerForHermes, parsesClasses } from '../../../scripts/hermes';
import type { AppReport } from './hermes-app';
import { bundleHermesApp, expectDeliveredWithoutCrypto } from './hermes-bundle';

let dir: string;
let hermes: string;
let app: string;

beforeAll(async () => {
  hermes = hermesCli();
  dir = mkdtempSync(join(tmpdir(), 'sessionhub-hermes-'));
  app = lowerForHermes(await bundleHermesApp(fileURLToPath(new URL('./hermes-engine-app.ts', import.meta.url))), parsesClasses(hermes));
}, 300_000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Runs the app in Hermes, `prelude` first (globals of the app's own polyfills); its report. */
function runInHermes(prelude = ''): AppReport {
  const file = join(dir, 'app.js');
  writeFileSync(file, prelude + '\n' + app);
  // (-w: without the compiler's warnings about globals it cannot see declared, React Native's among them.)
  const run = spawnSync(hermes, ['-w', file], { encoding: 'utf8', timeout: 120_000 });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  expect(run.stderr, 'Hermes printed errors').toBe('');
  expect(run.status, `Hermes exited with ${run.status} (${run.signal ?? 'no signal'})`).toBe(0);
  const report = JSON.parse(line) as AppReport & { fatal?: string };
  expect(report.fatal).toBeUndefined();
  return report;
}

describe('a React Native app in Hermes itself (hermes-engine-cli 0.12)', () => {
  it('runs in a Hermes with no crypto, btoa or TextEncoder', () => {
    const run = spawnSync(hermes, ['-version'], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/Hermes release version: 0\.12\./);
    writeFileSync(join(dir, 'globals.js'), "print(JSON.stringify([typeof crypto, typeof btoa, typeof TextEncoder, typeof Buffer]))");
    expect(spawnSync(hermes, [join(dir, 'globals.js')], { encoding: 'utf8' }).stdout.trim()).toBe('["undefined","undefined","undefined","undefined"]');
  });

  it('starts, logs, backgrounds and delivers to every vendor, with ids from the documented fallback and one warning', () => {
    expectDeliveredWithoutCrypto(runInHermes());
  });

  it('takes a btoa that encodes bytes as bytes (React Native 0.74 and later) and sends the same ue_px', () => {
    // A byte-string btoa as Hermes's own, written here in JavaScript (this Hermes has none), counting its calls.
    const btoa = `globalThis.btoaCalls = 0; globalThis.btoa = function (s) {
      globalThis.btoaCalls++;
      var A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', out = '';
      for (var i = 0; i < s.length; i += 3) {
        var a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
        if (a > 255 || b > 255 || c > 255) throw new Error('InvalidCharacterError');
        var n = (a << 16) | ((b || 0) << 8) | (c || 0);
        out += A[n >> 18 & 63] + A[n >> 12 & 63] + (i + 1 < s.length ? A[n >> 6 & 63] : '=') + (i + 2 < s.length ? A[n & 63] : '=');
      }
      return out;
    };`;
    const report = runInHermes(btoa) as AppReport & { btoaCalls: number };
    expectDeliveredWithoutCrypto(report);
    // Probed once as the kit loads, then used for every cx and ue_px.
    expect(report.btoaCalls).toBeGreaterThan(2);
  });
});
