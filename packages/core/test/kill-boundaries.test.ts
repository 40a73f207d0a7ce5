import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../../../scripts/workspace-sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorServer, type CollectedRequest, type CollectorServer } from '@sessionhub/testing/server';

/**
 * Durability by killing a real process at every storage write boundary (issue 14): a seed run leaves
 * a session open; a second run recovers it at launch and runs bursts (events, a user change, a new
 * session, a background, a timeout, an end) and is SIGKILLed right after — or in the middle of — its
 * k-th write, for every k; a third run relaunches, ends what is live and sends everything. At every
 * kit, every session that started ends exactly once, and every event a completed commit held arrives.
 */

let workDir: string;
let script: string;
let collector: CollectorServer;
const T0 = Date.UTC(2026, 0, 1, 12);

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sessionhub-kill-'));
  script = join(workDir, 'kill-child.mjs');
  await bundleForNode(fileURLToPath(new URL('./kill-child-app.ts', import.meta.url)), script);
  collector = await startCollectorServer();
});
afterAll(async () => {
  await collector?.close();
  rmSync(workDir, { recursive: true, force: true });
});

interface Run {
  lines: Array<Record<string, unknown>>;
  code: number | null;
  signal: string | null;
  stderr: string;
}

type Layout = 'journal' | 'segments' | 'outage' | 'outage-async';
/** Layout `outage`: the events its seed run queued (kill-child-app.ts's OUTAGE_EVENTS). */
const OUTAGE_EVENTS = 120;

function run(layout: Layout, phase: string, dir: string, t0: number, killAt = 0, torn = false): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script, phase, dir, collector.url, String(t0), String(killAt), torn ? '1' : '0', layout], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) =>
      done({ lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>), code, signal, stderr }),
    );
  });
}

/** Per vendor: session id → starts and ends received, and the app events received by name. */
interface Tally {
  starts: Map<string, number>;
  ends: Map<string, number>;
  events: Map<string, number>;
}
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
const tally = (): Tally => ({ starts: new Map(), ends: new Map(), events: new Map() });

function readWire(requests: readonly CollectedRequest[]): Record<'braze' | 'snowplow' | 'clevertap', Tally> {
  const t = { braze: tally(), snowplow: tally(), clevertap: tally() };
  for (const r of requests) {
    if (r.vendor === 'braze') {
      for (const e of (r.body as { events: Array<{ name: string; session_id?: string; data: { n?: string } }> }).events) {
        if (e.name === 'ss') bump(t.braze.starts, e.session_id!);
        else if (e.name === 'se') bump(t.braze.ends, e.session_id!);
        else if (e.name === 'ce') bump(t.braze.events, e.data.n!);
      }
    } else if (r.vendor === 'snowplow') {
      for (const p of (r.body as { data: Array<{ e: string; ue_pr?: string }> }).data) {
        if (p.e !== 'ue' || !p.ue_pr) continue;
        const inner = (JSON.parse(p.ue_pr) as { data: { schema: string; data: { sessionId?: string; name?: string } } }).data;
        if (inner.schema.includes('/session_start/')) bump(t.snowplow.starts, inner.data.sessionId!);
        else if (inner.schema.includes('/session_end/')) bump(t.snowplow.ends, inner.data.sessionId!);
        else if (inner.schema.includes('/app_event/')) bump(t.snowplow.events, inner.data.name!);
      }
    } else {
      for (const item of (r.body as Array<{ type: string; evtName?: string; s?: number }>).slice(1)) {
        if (item.type !== 'event') continue;
        // CleverTap has no session start event: a session is known by its id `s` on its events.
        if (item.evtName === 'Session Concluded') bump(t.clevertap.ends, String(item.s));
        else {
          bump(t.clevertap.events, item.evtName!);
          if (item.s) t.clevertap.starts.set(String(item.s), 1);
        }
      }
    }
  }
  return t;
}

/** One life: the bursts killed at boundary k (0: not killed), then a relaunch. Returns what went wrong. */
async function life(layout: Layout, seedDir: string, k: number, torn: boolean): Promise<string[]> {
  const dir = mkdtempSync(join(workDir, 'life-'));
  cpSync(seedDir, dir, { recursive: true });
  collector.collector.reset();
  const bursts = await run(layout, 'bursts', dir, T0 + 600_000, k, torn);
  const relaunch = await run(layout, 'relaunch', dir, T0 + 1_800_000);
  rmSync(dir, { recursive: true, force: true });
  const at = `${layout}: kill ${torn ? 'inside' : 'after'} write ${k}`;
  if (relaunch.code !== 0) return [`${at}: the relaunch failed: ${relaunch.stderr}`];
  const durable = Math.max(-1, ...bursts.lines.map((l) => (typeof l.durable === 'number' ? l.durable : -1)));
  const wire = readWire(collector.collector.accepted());
  const problems: string[] = [];
  // Events logged by bursts whose commit completed (e0 by the seed run).
  const queued = layout.startsWith('outage') ? Array.from({ length: OUTAGE_EVENTS }, (_, i) => `q${i + 1}`) : [];
  const expected = ['e0', ...queued, ...['e1', 'e2', '', 'e4', 'e5', '', 'e7'].filter((name, i) => name && i + 1 <= durable)];
  for (const [vendor, t] of Object.entries(wire)) {
    for (const id of t.starts.keys()) {
      if (t.ends.get(id) !== 1) problems.push(`${at}: ${vendor} session ${id} ended ${t.ends.get(id) ?? 0} times`);
    }
    for (const [id, n] of t.ends) {
      if (vendor !== 'clevertap' && t.starts.get(id) !== 1) problems.push(`${at}: ${vendor} session ${id} ended (${n}) but started ${t.starts.get(id) ?? 0} times`);
    }
    for (const name of expected) if (!t.events.get(name)) problems.push(`${at}: ${vendor} never got ${name} (bursts through ${durable} were committed)`);
    // Nothing was delivered before the relaunch: whatever a kill left, each app event arrives at most once
    // (CleverTap's App Launched comes once per session).
    for (const [name, n] of t.events) if (n > 1 && /^[eq]\d+$/.test(name)) problems.push(`${at}: ${vendor} got ${name} ${n} times`);
  }
  if (wire.braze.starts.size !== wire.snowplow.starts.size || wire.braze.starts.size !== wire.clevertap.ends.size) {
    problems.push(`${at}: sessions per vendor differ: braze ${wire.braze.starts.size}, snowplow ${wire.snowplow.starts.size}, clevertap ${wire.clevertap.ends.size}`);
  }
  return problems;
}

describe('killed at every storage write boundary (real processes)', () => {
  it.each(['journal', 'segments', 'outage', 'outage-async'] as const)('%s: every session ends exactly once at every kit, and nothing a completed commit held is lost', { timeout: 240_000 }, async (layout) => {
    const seedDir = mkdtempSync(join(workDir, 'seed-'));
    const seed = await run(layout, 'seed', seedDir, T0);
    expect(seed.signal).toBe('SIGKILL');
    // The run without a kill counts the boundaries.
    const refDir = mkdtempSync(join(workDir, 'ref-'));
    cpSync(seedDir, refDir, { recursive: true });
    const reference = await run(layout, 'bursts', refDir, T0 + 600_000);
    const writes = reference.lines.find((l) => typeof l.writes === 'number')?.writes as number;
    expect(writes).toBeGreaterThanOrEqual(9);
    // After the outage, the bursts' commits move the queue out of the segments they overwrite.
    if (layout.startsWith('outage')) expect(readdirSync(refDir).some((f) => f.includes('spill'))).toBe(true);
    const problems: string[] = [];
    problems.push(...(await life(layout, seedDir, 0, false)));
    const ops = reference.lines.flatMap((l) => (typeof l.op === 'string' ? [l.op] : []));
    expect(ops).toHaveLength(writes);
    for (let k = 1; k <= writes; k++) {
      problems.push(...(await life(layout, seedDir, k, false)));
      // A write torn by the kill: half its bytes reached the file.
      if (ops[k - 1] === 'writeSync') problems.push(...(await life(layout, seedDir, k, true)));
    }
    expect(problems).toEqual([]);
  });
});
