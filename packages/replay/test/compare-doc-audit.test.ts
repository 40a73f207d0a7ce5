import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Comparison } from '../src/compare/comparison';
import { compareReport } from '../src/compare/report';
import { Replayer, type ReplayOutput } from '../src/replay/replayer';
import { ev, launch, records, T0, type LineSpec } from './timeline';

// Claims of docs/compare.md and docs/server.md held against packages/replay (audit 2).

function replay(lines: readonly LineSpec[], config = {}): ReplayOutput[] {
  const out: ReplayOutput[] = [];
  const r = new Replayer({ write: (o) => out.push(o) }, config);
  for (const l of records(lines)) r.add(l);
  return out;
}
const secs = (t: number): number => (t - T0) / 1000;
const sessions = (out: readonly ReplayOutput[]): string[] =>
  out.flatMap((o) =>
    o.type === 'sessionStart'
      ? [`start ${secs(o.record.startTime)} ${o.record.trigger} ${o.record.userId}`]
      : o.type === 'sessionEnd'
        ? [`end ${secs(o.record.endTime)} ${o.record.reason} ${o.record.userId}`]
        : [],
  );

describe('compare.md: a launch line that names another user', () => {
  // "`launch` ... a launch ends a session the previous run left open (reason `recovered`), as after a
  // force-quit"; "userId: the user as of this line, applied before it like setUser". The app was not
  // running between the last activity and the launch: the old session ends at its last activity, and
  // the launch's session is the new user's (no empty session for the old user, nor one ended at once).
  const lines = [launch(0, { userId: 'u1' }), ev(5), launch(3600, { userId: 'u2' }), ev(3605)];

  it('replay: the session the previous run left ends at its last activity (recovered); the launch starts the new user\'s', () => {
    expect(sessions(replay(lines))).toEqual(['start 0 launch u1', 'end 5 recovered u1', 'start 3600 launch u2']);
  });

  it('replay with resumeOnRelaunch: a session still live continues, then ends at the change of user', () => {
    expect(sessions(replay([launch(0, { userId: 'u1' }), ev(5), launch(20, { userId: 'u2' })], { resumeOnRelaunch: true }))).toEqual([
      'start 0 launch u1',
      'end 20 user-change u1',
      'start 20 user-change u2',
    ]);
  });

  it('compare: the canonical column counts the same sessions replay gives, with the same total time', () => {
    const c = new Comparison({ vendors: false });
    for (const r of records(lines)) c.add(r);
    const canonical = compareReport(c, { lines: lines.length, skipped: 0 }).columns.find((x) => x.id === 'canonical')!;
    expect(canonical.sessions).toBe(2);
    // 5 s, then the live session to its last activity (5 s).
    expect(canonical.totalMs).toBe(10_000);
  });

  it('property: no line starts a session and ends it, and a recovered session ends at its last activity', () => {
    const spec = fc.array(
      fc.tuple(
        fc.constantFrom('launch', 'event', 'foreground', 'background') as fc.Arbitrary<LineSpec['type']>,
        fc.constantFrom(1, 10, 61, 600),
        fc.option(fc.constantFrom<string | null>('u1', 'u2', null), { nil: undefined }),
      ),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(spec, fc.boolean(), (list, resumeOnRelaunch) => {
        let at = 0;
        const lines = list.map(([type, dt, userId]): LineSpec => ({ at: (at += dt), type, ...(userId === undefined ? {} : { userId }) }));
        // Which line started each session, and which ended it.
        const startedBy = new Map<string, number>();
        const r = new Replayer(
          {
            write: (o, ordinal) => {
              if (o.type === 'sessionStart') startedBy.set(o.record.sessionId, ordinal);
              if (o.type !== 'sessionEnd') return;
              expect(startedBy.get(o.record.sessionId), `${JSON.stringify(lines)}: line ${ordinal} started and ended a session`).toBeLessThan(ordinal);
              if (o.record.reason === 'recovered') expect(o.record.endTime).toBe(o.record.lastActivity);
            },
          },
          { resumeOnRelaunch },
        );
        for (const l of records(lines)) r.add(l);
      }),
      { numRuns: 300 },
    );
  });
});

describe('compare.md: compare and replay run the same canonical engine', () => {
  // "it sessionizes one event log twice over — with SessionHub's canonical engine (... the same code
  // the hub runs)"; replay "runs the log through the canonical engine, one state per device".
  const line = fc.record({
    deviceId: fc.constantFrom('a', 'b'),
    type: fc.constantFrom('launch', 'event', 'foreground', 'background') as fc.Arbitrary<LineSpec['type']>,
    dt: fc.constantFrom(-120, -1, 0, 1, 10, 61, 600),
    userId: fc.option(fc.constantFrom<string | null>('u1', 'u2', null), { nil: undefined }),
    neutral: fc.boolean(),
  });

  it('property: the canonical column counts the sessions replay starts, open ones included, and their total length', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (list, resumeOnRelaunch) => {
        let at = 1000;
        const lines = list.map(({ deviceId, type, dt, userId, neutral }): LineSpec => ({
          at: (at += dt),
          type,
          deviceId,
          ...(userId === undefined ? {} : { userId }),
          ...(type === 'event' && neutral ? { neutral } : {}),
        }));
        const out: ReplayOutput[] = [];
        const r = new Replayer({ write: (o) => out.push(o) }, { resumeOnRelaunch });
        const c = new Comparison({ vendors: false, engine: { resumeOnRelaunch } });
        for (const l of records(lines)) {
          r.add(l);
          c.add(l);
        }
        const canonical = compareReport(c, { lines: lines.length, skipped: 0 }).columns.find((x) => x.id === 'canonical')!;
        let total = 0;
        for (const o of out) if (o.type === 'sessionEnd') total += o.record.duration;
        for (const [, d] of r.snapshot()) {
          const s = d.state.session;
          if (s) total += s.lastActivity - s.startTime;
        }
        expect(canonical.sessions).toBe(r.counts.sessionsStarted);
        expect(canonical.openAtEnd).toBe(r.liveSessions());
        expect(canonical.totalMs).toBe(total);
      }),
      { numRuns: 300 },
    );
  });
});

describe('compare.md: a --checkpoint directory that cannot be used', () => {
  // "Every failure you can fix — ... a checkpoint for another log or a damaged one ... — is one line
  // on stderr saying what to do". A checkpoint directory that cannot be made is found before the log
  // is read (as an --html file that cannot be written), not after the whole log was replayed.
  it('a --checkpoint that is a file: a CheckpointError naming it, before anything is written to --out', async () => {
    const { mkdtempSync, writeFileSync, existsSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { replayLog } = await import('../src/replay/run-replay');
    const dir = mkdtempSync(join(tmpdir(), 'sessionhub-audit2-'));
    try {
      const log = join(dir, 'log.ndjson');
      writeFileSync(log, '{"deviceId":"d","timestamp":1000,"type":"event","name":"a"}\n');
      const notADir = join(dir, 'state');
      writeFileSync(notADir, 'a file');
      const out = join(dir, 'out.ndjson');
      const error = await replayLog(log, { out, checkpoint: notADir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'CheckpointError' });
      expect(String((error as Error).message)).toContain(`--checkpoint ${notADir}`);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
