#!/usr/bin/env node
// Checks the packages as a user gets them: `pnpm pack` tarballs (publishConfig applied, workspace:
// ranges rewritten) installed into a fresh app outside the workspace, offline from the pnpm store.
// - each tarball: README and LICENSE, repository/homepage/bugs/keywords, no `@sessionhub/source`
//   condition (it points at src/, which is not shipped), no workspace: range, @sessionhub/core as a
//   peer dependency (one core per app), no `engines` claim of Node >= 20 on code for browsers and
//   React Native, optional peers (msw, playwright-core) not needed by the main entries;
// - in the app: every entry imported (ESM) and required (CJS) under Node, every entry's types
//   resolved by tsc under moduleResolution node16, nodenext, bundler and node10, and the README's
//   quick start compiled and run.
// Runs after `pnpm build`; packages are discovered from packages/*/package.json (all non-private).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const started = Date.now();
const problems = [];
const problem = (text) => problems.push(text);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'pipe', encoding: 'utf8' });
/**
 * Where the workspace installed a third-party package (its directory in the pnpm store's layout).
 * The app links to it: only the npm registry is reachable and CI must not depend on it, so the app
 * installs offline, with nothing to resolve.
 */
const installedDir = (name, fromDirs) => {
  for (const dir of [...fromDirs, root]) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
  }
  throw new Error(`${name} is not installed in the workspace; run pnpm install`);
};

const work = mkdtempSync(join(tmpdir(), 'sessionhub-tarballs-'));
const keep = process.argv.includes('--keep');
try {
  // ---------------------------------------------------------------- pack and inspect
  const packages = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
  const tarballs = {};
  const shipped = {};
  for (const { dir, manifest } of packages) {
    const { name } = manifest;
    const out = run('pnpm', ['pack', '--pack-destination', work], dir);
    const tarball = out.trim().split('\n').reverse().find((line) => line.endsWith('.tgz'))?.trim();
    if (!tarball || !existsSync(tarball)) throw new Error(`${name}: pnpm pack printed no tarball:\n${out}`);
    tarballs[name] = tarball;
    const files = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    const m = (shipped[name] = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work)));
    const text = JSON.stringify(m);
    if (text.includes('@sessionhub/source')) problem(`${name}: the @sessionhub/source condition (src/, not shipped) is in the tarball's package.json`);
    if (text.includes('workspace:')) problem(`${name}: a workspace: range is in the tarball's package.json`);
    for (const file of ['README.md', 'LICENSE', 'package.json']) if (!files.includes(file)) problem(`${name}: no ${file} in the tarball`);
    if (files.some((f) => f.startsWith('src/') || f.startsWith('test/'))) problem(`${name}: the tarball ships src/ or test/`);
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license', 'description']) {
      if (!m[field] || (Array.isArray(m[field]) && m[field].length === 0)) problem(`${name}: no "${field}" in package.json`);
    }
    const readme = files.includes('README.md') ? run('tar', ['-xzOf', tarball, 'package/README.md'], work) : '';
    if (!new RegExp(`npm install (--save-dev )?${name}`).test(readme)) problem(`${name}: the README does not say how to install it (npm install ${name})`);
    if (!/\]\((https?:|\.\.\/\.\.\/docs\/)/.test(readme)) problem(`${name}: the README links to no documentation`);
    if (!/```(ts|sh)\n/.test(readme)) problem(`${name}: the README has no example`);
    // A command-line tool runs on its own; everything else shares the app's one core.
    if (name !== '@sessionhub/core' && !m.bin) {
      if (m.dependencies?.['@sessionhub/core']) problem(`${name}: @sessionhub/core is a dependency (a copy per package); make it a peerDependency`);
      if (!m.peerDependencies?.['@sessionhub/core']) problem(`${name}: @sessionhub/core is not a peerDependency`);
    }
    // Code for browsers and React Native must not claim a Node version; tools for Node may.
    const nodeOnly = Boolean(m.bin) || name === '@sessionhub/testing';
    if (!nodeOnly && m.engines?.node) problem(`${name}: engines.node "${m.engines.node}" for code that runs in browsers and React Native`);
    for (const [peer, meta] of Object.entries(m.peerDependenciesMeta ?? {})) {
      if (meta.optional && m.dependencies?.[peer]) problem(`${name}: ${peer} is both an optional peer and a dependency`);
    }
  }
  if (shipped['@sessionhub/testing']?.dependencies?.msw) problem('@sessionhub/testing: msw is a dependency; it must stay an optional peer');

  // ---------------------------------------------------------------- a fresh app
  const app = join(work, 'app');
  const optionalPeers = [...new Set(Object.values(shipped).flatMap((m) => Object.entries(m.peerDependenciesMeta ?? {}).filter(([, v]) => v.optional).map(([k]) => k)))];
  const spec = Object.fromEntries(Object.keys(tarballs).map((name) => [name, `file:${tarballs[name]}`]));
  // Every third-party package a tarball depends on (or takes as an optional peer), linked to the
  // workspace's installed copy; the packages themselves come from their tarballs.
  const packageDirs = packages.map(({ dir }) => dir);
  const thirdParty = {};
  for (const m of Object.values(shipped)) {
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies })) {
      if (!spec[dep]) thirdParty[dep] = `link:${installedDir(dep, packageDirs)}`;
    }
  }
  const tools = { typescript: `link:${installedDir('typescript', [])}`, '@types/node': `link:${installedDir('@types/node', [])}` };
  run('mkdir', ['-p', app], work);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'tarball-app',
        private: true,
        type: 'module',
        dependencies: spec,
        devDependencies: tools,
        // The packages' dependencies on each other resolve to these tarballs, the rest to the links.
        pnpm: { overrides: { ...spec, ...thirdParty } },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(app, '.npmrc'), 'auto-install-peers=false\n');
  const step = (what) => process.env.CHECK_TARBALLS_TIMING && console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  step('packed');
  const install = (args) => run('pnpm', [...args, '--offline', '--ignore-workspace', '--config.confirmModulesPurge=false'], app);
  install(['install']);
  step('installed');

  // Every entry of every package, by its public specifier.
  const entries = Object.entries(shipped).flatMap(([name, m]) =>
    Object.keys(m.exports ?? { '.': null })
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? name : `${name}/${k.slice(2)}`)),
  );

  // ---------------------------------------------------------------- runtime: ESM and CJS
  const runtimeCheck = (allowMissing) => {
    writeFileSync(
      join(app, 'load.cjs'),
      `const entries = ${JSON.stringify(entries)};
const allowMissing = ${JSON.stringify(allowMissing)};
const results = {};
(async () => {
  for (const entry of entries) {
    const r = (results[entry] = {});
    for (const [how, load] of [['esm', (e) => import(e)], ['cjs', async (e) => require(e)]]) {
      try {
        const m = await load(entry);
        r[how] = Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').length;
      } catch (error) {
        const missing = allowMissing.find((p) => String(error && error.message).includes("'" + p));
        r[how] = missing ? 'needs ' + missing : 'error: ' + String(error && error.message).split('\\n')[0];
      }
    }
  }
  console.log(JSON.stringify(results));
})();
`,
    );
    return JSON.parse(run(process.execPath, ['load.cjs'], app));
  };
  const withoutPeers = runtimeCheck(optionalPeers);
  step('loaded without optional peers');
  const needingPeers = [];
  for (const [entry, r] of Object.entries(withoutPeers)) {
    for (const how of ['esm', 'cjs']) {
      if (typeof r[how] === 'string' && r[how].startsWith('error')) problem(`${entry} (${how}, without optional peers): ${r[how]}`);
      else if (typeof r[how] === 'string') needingPeers.push(`${entry} ${r[how]}`);
      else if (r[how] === 0) problem(`${entry} (${how}): exports nothing`);
    }
  }
  // The main entries must work without the optional peers.
  for (const name of Object.keys(shipped)) {
    if (typeof withoutPeers[name]?.esm === 'string') problem(`${name}: its main entry needs an optional peer (${withoutPeers[name].esm})`);
  }
  if (optionalPeers.length) install(['add', ...optionalPeers.map((p) => thirdParty[p])]);
  step('optional peers added');
  const withPeers = runtimeCheck([]);
  step('loaded with optional peers');
  for (const [entry, r] of Object.entries(withPeers)) {
    for (const how of ['esm', 'cjs']) if (typeof r[how] !== 'number' || r[how] === 0) problem(`${entry} (${how}): ${r[how]}`);
  }

  // ---------------------------------------------------------------- types under every resolver
  const ident = (entry) => entry.replace(/[^a-z]/gi, '_');
  writeFileSync(join(app, 'types.mts'), entries.map((e) => `import * as ${ident(e)} from '${e}';\nexport type T${ident(e)} = typeof ${ident(e)};`).join('\n') + '\n');
  writeFileSync(join(app, 'types.cts'), entries.map((e) => `import ${ident(e)} = require('${e}');\nexport type T${ident(e)} = typeof ${ident(e)};`).join('\n') + '\n');
  writeFileSync(join(app, 'types.ts'), readFileSync(join(app, 'types.mts'), 'utf8'));
  // The README's quick start, as a user would paste it.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const quickStart = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!quickStart) problem('README.md: no ```ts block under "## Quick start"');
  writeFileSync(join(app, 'quick-start.mts'), quickStart ?? '');
  const base = { strict: true, skipLibCheck: true, noEmit: true, types: ['node'], target: 'es2022', lib: ['es2022', 'dom'] };
  const configs = {
    node16: { module: 'node16', moduleResolution: 'node16', files: ['types.mts', 'types.cts', 'quick-start.mts'] },
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext', files: ['types.mts', 'types.cts', 'quick-start.mts'] },
    bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['types.ts', 'quick-start.mts'] },
    node10: { module: 'commonjs', moduleResolution: 'node10', files: ['types.ts'] },
  };
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  // Two at a time: CI has two cores.
  const queue = Object.entries(configs);
  const tscWorker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [resolver, { files, ...options }] = next;
      writeFileSync(join(app, `tsconfig.${resolver}.json`), JSON.stringify({ compilerOptions: { ...base, ...options }, files }));
      try {
        await promisify(execFile)(process.execPath, [tsc, '-p', `tsconfig.${resolver}.json`], { cwd: app, encoding: 'utf8' });
      } catch (error) {
        problem(`tsc, moduleResolution ${resolver}:\n${error.stdout}${error.stderr}`);
      }
      step(`tsc ${resolver}`);
    }
  };
  await Promise.all([tscWorker(), tscWorker()]);

  // ---------------------------------------------------------------- the quick start runs
  if (quickStart) {
    writeFileSync(join(app, 'tsconfig.emit.json'), JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext', noEmit: false, outDir: 'out' }, files: ['quick-start.mts'] }));
    try {
      run(process.execPath, [tsc, '-p', 'tsconfig.emit.json'], app);
      const printed = run(process.execPath, ['out/quick-start.mjs'], app);
      if (!/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/.test(printed)) problem(`README quick start: printed no session id:\n${printed}`);
      else console.log(`✓ README quick start, run from the tarballs, printed:\n${printed.replace(/^/gm, '    ')}`);
    } catch (error) {
      problem(`README quick start does not run from the tarballs:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    }
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length) {
    console.error(`✗ tarballs: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `✓ tarballs of ${Object.keys(shipped).join(', ')}: packed, installed offline into a fresh app, ${entries.length} entries imported (ESM) and required (CJS)` +
        `${needingPeers.length ? ` (${needingPeers.length} only with their optional peer: ${[...new Set(needingPeers.map((n) => n.split(' ')[0]))].join(', ')})` : ''}, ` +
        `types checked under ${Object.keys(configs).join(', ')} (${seconds} s)`,
    );
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
