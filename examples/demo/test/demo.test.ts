import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { workspaceSources } from '../../../scripts/workspace-sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoJson } from '../src/report-json';



let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'sessionhub-demo-test-'));
  await build({
    entryPoints: { demo: fileURLToPath(new URL('../src/demo.ts', import.meta.url)), app: fileURLToPath(new URL('../src/app.ts', import.meta.url)) },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [workspaceSources],
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs the demo; resolves with its exit code and its parsed --json output. */
function demo(...args: string[]): Promise<{ code: number | null; json: DemoJson; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(outdir, 'demo.js'), '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      try {
        done({ code, json: JSON.parse(stdout) as DemoJson, stderr });
      } catch (error) {
        fail(new Error(`the demo printed no JSON (exit ${code}):\n${stdout}\n${stderr}\n${String(error)}`));
      }
    });
  });
}

/** Every vendor's totals equal SessionHub's. */
function expectAligned(json: DemoJson): void {
  expect(json.problems).toEqual([]);
  expect(json.ok).toBe(true);
  const { canonical, braze, snowplow, clevertap } = json.totals;
  expect(braze).toEqual(canonical);
  expect(snowplow).toEqual(canonical);
  // CleverTap has the sessions it got items of, each as long as from its first event to its last.
  const atCleverTap = json.sessions.filter((s) => s.cleverTapLengthMs !== null);
  expect(clevertap).toEqual({ ...canonical, sessions: atCleverTap.length, lengthMs: atCleverTap.reduce((n, s) => n + s.cleverTapLengthMs!, 0) });
  for (const session of json.sessions) {
    expect(session.problems).toEqual([]);
    expect(session.vendors.braze?.id).toBe(session.id);
    expect(session.vendors.snowplow?.id).toBe(session.id);
    for (const vendor of ['braze', 'snowplow'] as const) {
      expect(session.vendors[vendor]).toMatchObject({ ended: true, lengthMs: session.durationMs, events: session.events });
    }
    if (session.cleverTapLengthMs !== null) expect(session.vendors.clevertap).toMatchObject({ ended: true, lengthMs: session.cleverTapLengthMs, events: session.events });
    else expect(session.vendors.clevertap).toBeNull();
  }
}

describe('pnpm demo', () => {
  it('scripted life: every vendor counts the same 4 sessions, events and lengths, through a SIGKILL and a SIGTERM', async () => {
    const { code, json, stderr } = await demo();
    expect(stderr).toBe('');
    expectAligned(json);
    expect(code).toBe(0);
    expect(json.life).toBe('scripted');
    expect(json.sessions.map((s) => [s.trigger, s.reason])).toEqual([
      ['launch', 'timeout'],
      ['foreground', 'user-change'],
      ['user-change', 'recovered'],
      ['launch', 'recovered'],
    ]);
    // Session 1 ended at its last activity (the background), not when the hub noticed.
    expect(json.sessions[0]!.endTime).toBe('2026-03-14T09:02:09.000Z');
    expect(json.sessions[0]!.attributes).toEqual({ plan: 'premium', songs_played: 3 });
    expect(json.totals.canonical.eventsOutsideSessions).toBe(1);
    const [killed, terminated, clean] = json.runs;
    expect(killed).toMatchObject({ ending: 'kill', exit: { code: null, signal: 'SIGKILL' } });
    // Killed mid-session with items queued; they stayed on disk and the next run delivered them.
    const queued = Object.values(killed!.queuedAtEnd ?? {}).reduce((a, b) => a + b, 0);
    expect(queued).toBeGreaterThan(0);
    expect(killed!.leftOnDisk).toEqual(killed!.queuedAtEnd);
    expect(terminated).toMatchObject({ ending: 'sigterm', exit: { code: null, signal: 'SIGTERM' }, leftOnDisk: {} });
    expect(Object.values(terminated!.queuedAtEnd ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(clean).toMatchObject({ ending: 'exit', exit: { code: 0, signal: null }, leftOnDisk: {} });
  });

  it('a random life from a seed, with a short timeout: still aligned', async () => {
    const { code, json } = await demo('--seed', '20260314', '--timeout', '15');
    expectAligned(json);
    expect(code).toBe(0);
    expect(json).toMatchObject({ life: 'random', seed: 20260314, sessionTimeout: 15 });
    expect(json.sessions.length).toBeGreaterThan(1);
    expect(json.runs.length).toBeGreaterThan(2);
  });

  it('refuses a bad option with exit code 2 and the usage', async () => {
    const child = spawn(process.execPath, [join(outdir, 'demo.js'), '--timeout', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((done) => child.on('exit', done));
    expect(code).toBe(2);
    expect(stderr).toContain('--timeout must be a whole number of seconds from 2 to 600');
    expect(stderr).toContain('Usage: pnpm demo');
  });
});
