#!/usr/bin/env node
// Writes packages/core/test/fixtures/previous-layout.json: what a given earlier version of SessionHub
// left in a key-by-key storage (localStorage, AsyncStorage) when the app was killed — the hub state
// with an open session and the three kits' queued items, one key each — for upgrade.test.ts, which
// loads it with the code of today. It runs THAT version's sources (git archive <rev>), not today's.
//
//   node scripts/previous-layout-fixture.mjs <git revision> [out.json]
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [rev, out = join(repo, 'packages/core/test/fixtures/previous-layout.json')] = process.argv.slice(2);
if (!rev) throw new Error('usage: previous-layout-fixture.mjs <git revision> [out.json]');
const dir = mkdtempSync(join(tmpdir(), 'sessionhub-previous-'));
try {
  execSync(`git -C "${repo}" archive ${rev} packages | tar -x -C "${dir}"`);
  const packages = join(dir, 'packages');
  const program = `
    import { createHub } from '@sessionhub/core';
    import { brazeKit } from '@sessionhub/kit-braze';
    import { snowplowKit } from '@sessionhub/kit-snowplow';
    import { clevertapKit } from '@sessionhub/kit-clevertap';
    const map = new Map();
    const storage = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
    let now = Date.UTC(2026, 0, 1, 12);
    const transport = async () => ({ status: 503 }); // the network is down: everything stays queued
    let n = 0;
    const hub = createHub({
      storage, clock: () => now, sessionTimeout: 60, logger: { debug() {}, info() {}, warn() {}, error: console.error },
      generateId: () => 'id-' + String(++n).padStart(4, '0'),
      kits: [
        brazeKit({ apiKey: 'upgrade-api-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
        snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'upgrade', encodeBase64: false,
          catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
          sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
          delivery: { transport } }),
        clevertapKit({ accountId: 'TEST-000-0001', token: 'test-token', os: 'Android', sessionConcluded: true, delivery: { transport } }),
      ],
    });
    await hub.start();
    for (const name of ['before_upgrade_1', 'before_upgrade_2']) { now += 1000; hub.logEvent(name, { n: 1 }); }
    now += 1000; hub.setUser('user-upgrade');
    now += 1000; hub.logEvent('before_upgrade_3');
    await new Promise((r) => setTimeout(r, 50));
    // Killed here: no shutdown, the session is still open in the stored state.
    process.stdout.write(JSON.stringify({ revision: process.env.REV, sessionId: hub.getSession()?.id, killedAt: now, stored: Object.fromEntries([...map].sort()) }, null, 2) + '\\n');
    process.exit(0);
  `;
  const nodePaths = [join(repo, 'node_modules'), ...readdirSync(join(repo, 'packages')).map((p) => join(repo, 'packages', p, 'node_modules'))];
  const bundle = join(dir, 'program.mjs');
  await build({
    stdin: { contents: program, resolveDir: packages, loader: 'js' },
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    nodePaths,
    logLevel: 'silent',
    plugins: [
      {
        name: 'previous-sources',
        setup(b) {
          b.onResolve({ filter: /^@sessionhub\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
            const [, pkg, entry] = /^@sessionhub\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(args.path);
            return { path: join(packages, pkg, 'src', `${entry ?? 'index'}.ts`) };
          });
        },
      },
    ],
  });
  const text = execFileSync(process.execPath, [bundle], { encoding: 'utf8', env: { ...process.env, REV: execSync(`git -C "${repo}" rev-parse --short ${rev}`, { encoding: 'utf8' }).trim() } });
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
