import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { workspaceSources } from '../../../scripts/workspace-sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';


let dir: string;
let cli: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sessionhub-cli-'));
  cli = join(dir, 'sessionhub.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [workspaceSources],
    // cli-progress is CommonJS: give the ESM bundle a require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with `args`, feeding `stdin`. */
export function sessionhub(args: string[], stdin?: Buffer | string): Promise<Exit> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('sessionhub (the built command)', () => {
  it('generate is deterministic; compare reads it from a file, from stdin (-) and gzipped, with the same numbers', async () => {
    const a = await sessionhub(['generate', '--devices', '20', '--events', '600', '--seed', '3']);
    const b = await sessionhub(['generate', '--devices', '20', '--events', '600', '--seed', '3']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.trim().split('\n')).toHaveLength(600);
    writeFileSync(join(dir, 'log.ndjson'), a.stdout);
    const fromFile = await sessionhub(['compare', 'log.ndjson', '--json']);
    expect(fromFile).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(fromFile.stdout);
    expect(report.input).toEqual({ lines: 600, records: 600, skipped: 0 });
    expect(report.devices.total).toBe(20);
    const fromStdin = await sessionhub(['compare', '-', '--json'], gzipSync(a.stdout));
    expect(JSON.parse(fromStdin.stdout)).toEqual(report);
    const table = await sessionhub(['compare', 'log.ndjson']);
    expect(table.stdout).toContain(`SessionHub (canonical)  ${String(report.columns[0].sessions).padStart(8)}`);
    // No terminal: no progress bar on stderr.
    expect(table.stderr).toBe('');
  });

  it('CSV: generate --format csv gives the same sessions as NDJSON', async () => {
    const csv = await sessionhub(['generate', '--devices', '5', '--events', '200', '--seed', '4', '--format', 'csv', '--out', 'log.csv']);
    const ndjson = await sessionhub(['generate', '--devices', '5', '--events', '200', '--seed', '4', '--out', 'log4.ndjson']);
    expect([csv.code, ndjson.code]).toEqual([0, 0]);
    const fromCsv = JSON.parse((await sessionhub(['compare', 'log.csv', '--json'])).stdout);
    const fromNdjson = JSON.parse((await sessionhub(['compare', 'log4.ndjson', '--json'])).stdout);
    expect({ ...fromCsv, input: null }).toEqual({ ...fromNdjson, input: null });
    expect(fromCsv.input.lines).toBe(201);
  });

  it('a bad line stops the run (exit 1) naming it; --on-error skip reports it and counts it', async () => {
    writeFileSync(join(dir, 'bad.ndjson'), '{"deviceId":"d","timestamp":1,"type":"event","name":"a"}\n{"deviceId":"d","timestamp":"soon","type":"event","name":"b"}\n');
    const stopped = await sessionhub(['compare', 'bad.ndjson']);
    expect(stopped).toMatchObject({ code: 1, stdout: '' });
    expect(stopped.stderr).toBe('sessionhub: line 2: timestamp must be epoch ms or ISO 8601 with Z or an offset (e.g. 2026-03-14T09:00:00Z), got "soon" (use --on-error skip to skip bad lines)\n');
    const skipped = await sessionhub(['compare', 'bad.ndjson', '--on-error', 'skip']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/^skipped line 2: timestamp must be/);
    expect(skipped.stdout).toContain('1 line skipped');
  });

  let bigLog: Promise<void> | null = null;
  /** A log and its replay without checkpoints, made once for both signals. */
  const reference = (): Promise<void> =>
    (bigLog ??= (async () => {
      expect((await sessionhub(['generate', '--devices', '100', '--events', '25000', '--seed', '5', '--out', 'big.ndjson'])).code).toBe(0);
      expect((await sessionhub(['replay', 'big.ndjson', '--out', 'reference.ndjson'])).code).toBe(0);
    })());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`replay: ${signal} stops a run cleanly after a checkpoint, and the same command resumes it exactly`, async () => {
      await reference();
      const args = ['replay', 'big.ndjson', '--out', `out-${signal}.ndjson`, '--checkpoint', `ck-${signal}`, '--checkpoint-every', '1000'];
      const child = spawn(process.execPath, [cli, ...args], { cwd: dir });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const exit = new Promise<number | null>((done) => child.on('close', done));
      // Once the first checkpoint is on disk, the run is well under way: stop it.
      while (!existsSync(join(dir, `ck-${signal}`, 'checkpoint.json')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      child.kill(signal);
      const code = await exit;
      if (code === 0) return void expect.fail(`the run finished before ${signal} arrived; make the log longer`);
      expect(code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(stderr).toMatch(new RegExp(`${signal}: stopping after a checkpoint[\\s\\S]*stopped at line \\d+ \\(checkpointed: run the same command to resume\\)`));
      const resumed = await sessionhub(args);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(/^replayed to line 25000, resumed after line \d+:/);
      expect(readFileSync(join(dir, `out-${signal}.ndjson`), 'utf8')).toBe(readFileSync(join(dir, 'reference.ndjson'), 'utf8'));
    });
  }

  it('replay: SIGINT or SIGTERM also stop a run waiting for more input (stdin, a named pipe), at once, after a checkpoint', async () => {
    const lines = '{"deviceId":"d1","timestamp":1000,"type":"launch"}\n{"deviceId":"d1","timestamp":2000,"type":"event","name":"a"}\n';
    execFileSync('mkfifo', [join(dir, 'live.fifo')]);
    for (const [signal, log] of [['SIGINT', '-'], ['SIGTERM', 'live.fifo']] as const) {
      const ck = join(dir, `live-${signal}`);
      const child = spawn(process.execPath, [cli, 'replay', log, '--out', `live-${signal}.ndjson`, '--checkpoint', ck, '--checkpoint-every', '1'], { cwd: dir });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const exit = new Promise<number | null>((done) => child.on('close', done));
      // The input stays open after its lines, as a stream's does.
      const input = log === '-' ? child.stdin : createWriteStream(join(dir, log));
      input.write(lines);
      while (!existsSync(join(ck, 'checkpoint.json'))) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      child.kill(signal);
      const code = await Promise.race([exit, new Promise((r) => setTimeout(r, 3000, 'still running 3 s later'))]);
      input.end();
      await exit;
      expect(code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(stderr).toMatch(/stopped at line 2 \(checkpointed: run the same command to resume\)/);
      expect(JSON.parse(readFileSync(join(ck, 'checkpoint.json'), 'utf8')).line).toBe(2);
    }
  });

  it('failures the user can fix are one line, with no stack (exit 1): checkpoints, a corrupt gzip, the kits config', async () => {
    const oneLine = (exit: Exit, pattern: RegExp): void => {
      expect(exit.code).toBe(1);
      expect(exit.stderr).toMatch(new RegExp(`^sessionhub: [^\\n]*${pattern.source}[^\\n]*\\n$`));
    };
    const line = '{"deviceId":"d1","timestamp":1000,"type":"event","name":"a"}\n';
    writeFileSync(join(dir, 'one.ndjson'), line);
    writeFileSync(join(dir, 'two.ndjson'), line);
    const run = ['replay', 'one.ndjson', '--out', 'one-out.ndjson', '--checkpoint', 'one-ck'];
    expect((await sessionhub(run)).code).toBe(0);
    oneLine(await sessionhub(['replay', 'two.ndjson', '--out', 'one-out.ndjson', '--checkpoint', 'one-ck']), /the checkpoint in one-ck is for one\.ndjson, not two\.ndjson/);
    oneLine(await sessionhub(['replay', 'one.ndjson', '--out', 'other.ndjson', '--checkpoint', 'one-ck']), /wrote to one-out\.ndjson, not other\.ndjson/);
    oneLine(await sessionhub([...run, '--timeout', '30']), /was made with other session options/);
    writeFileSync(join(dir, 'one-out.ndjson'), '');
    oneLine(await sessionhub(run), /one-out\.ndjson holds 0 bytes, fewer than the \d+ the checkpoint counted/);
    for (const damaged of ['{bad', 'null', '{"version":1,"devices":[5]}']) {
      writeFileSync(join(dir, 'one-ck', 'checkpoint.json'), damaged);
      oneLine(await sessionhub(run), /the checkpoint one-ck\/checkpoint\.json is not (valid JSON|one this version writes)/);
    }
    writeFileSync(join(dir, 'cut.ndjson.gz'), gzipSync(line.repeat(5000)).subarray(0, 200));
    oneLine(await sessionhub(['compare', 'cut.ndjson.gz']), /the gzip data is corrupt/);
    writeFileSync(join(dir, 'no-kit.json'), '{}');
    oneLine(await sessionhub(['replay', 'one.ndjson', '--kits', 'no-kit.json', '--checkpoint', 'kits-ck']), /the kits config names no kit/);
    writeFileSync(join(dir, 'bad-kit.json'), '{"braze":{"apiKey":"","baseUrl":"sdk.iad-01.braze.com"}}');
    // The kit's own message (docs/compare.md, "Through the kits").
    oneLine(await sessionhub(['replay', 'one.ndjson', '--kits', 'bad-kit.json', '--checkpoint', 'kits-ck']), /brazeKit.*apiKey/);
    oneLine(await sessionhub(['replay', 'one.ndjson', '--kits', 'missing.json', '--checkpoint', 'kits-ck']), /the kits config missing\.json is not readable JSON/);
  });

  it('a closed stdout (| head -1) ends replay --out -, compare and generate quietly with 141, as SIGPIPE does a Unix tool', async () => {
    /** Runs the command and closes its stdout after the first bytes, as `| head -c 1` does. */
    const head = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
      new Promise((done) => {
        const child = spawn(process.execPath, [cli, ...args], { cwd: dir });
        let stderr = '';
        child.stdout.once('data', () => child.stdout.destroy());
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.on('close', (code) => done({ code, stderr }));
      });
    expect((await sessionhub(['generate', '--devices', '400', '--events', '8000', '--seed', '6', '--out', 'pipe.ndjson'])).code).toBe(0);
    // Each writes far more than a pipe holds (64 KB).
    for (const args of [
      ['replay', 'pipe.ndjson', '--out', '-'],
      ['compare', 'pipe.ndjson', '--json', '--html', 'pipe.html', '--sample', '400'],
      ['generate', '--devices', '100', '--events', '20000', '--seed', '1'],
    ]) {
      expect(await head(args), args.join(' ')).toEqual({ code: 141, stderr: '' });
    }
  });

  it('replay refuses an --out that is the log itself, by any name (exit 2, the log untouched)', async () => {
    const text = '{"deviceId":"d1","timestamp":1000,"type":"event","name":"a"}\n'.repeat(3);
    const log = join(dir, 'self.ndjson');
    writeFileSync(log, text);
    linkSync(log, join(dir, 'self-hard.ndjson'));
    symlinkSync('self.ndjson', join(dir, 'self-soft.ndjson'));
    for (const out of ['self.ndjson', './self.ndjson', 'self-hard.ndjson', 'self-soft.ndjson']) {
      expect(await sessionhub(['replay', 'self.ndjson', '--out', out])).toMatchObject({ code: 2, stderr: `sessionhub: --out ${out} is the log itself: writing the records would erase it; give another file\n` });
      expect(readFileSync(log, 'utf8')).toBe(text);
    }
    // The log as stdin (a file, not a pipe).
    const fromStdin = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [cli, 'replay', '-', '--out', 'self.ndjson'], { cwd: dir, stdio: [openSync(log, 'r'), 'ignore', 'ignore'] });
      child.on('close', done);
    });
    expect(fromStdin).toBe(2);
    expect(readFileSync(log, 'utf8')).toBe(text);
    expect(await sessionhub(['compare', 'self.ndjson', '--html', 'self-soft.ndjson'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--html self-soft.ndjson is the log itself') });
    expect(readFileSync(log, 'utf8')).toBe(text);
  });

  it('replay --out a device or a pipe (/dev/null, /dev/stdout): written, not synced (fsync refuses them), and never checkpointed', async () => {
    writeFileSync(join(dir, 'dev.ndjson'), '{"deviceId":"d1","timestamp":1000,"type":"event","name":"a"}\n'.repeat(3));
    expect(await sessionhub(['replay', 'dev.ndjson', '--out', '/dev/null'])).toMatchObject({ code: 0 });
    // /dev/stdout into a pipe (the harness's stdout is a socket, which cannot be opened by name).
    const piped = await new Promise<number | null>((done) => {
      const script = '{ "$0" "$1" replay dev.ndjson --out /dev/stdout; echo $? > piped-code.txt; } | cat > piped.ndjson';
      spawn('sh', ['-c', script, process.execPath, cli], { cwd: dir, stdio: 'ignore' }).on('close', done);
    });
    expect(piped).toBe(0);
    expect(readFileSync(join(dir, 'piped-code.txt'), 'utf8')).toBe('0\n');
    expect(readFileSync(join(dir, 'piped.ndjson'), 'utf8').trim().split('\n')).toHaveLength(4);
    // What a checkpoint counted could not be cut back there.
    expect(await sessionhub(['replay', 'dev.ndjson', '--out', '/dev/null', '--checkpoint', 'null-ck'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--checkpoint needs --out to be a regular file, not /dev/null') });
  });

  it('compare --html that cannot be written fails before the log is read, not after (stdin left open: it would wait for ever)', async () => {
    // An open stdin that never ends: a run that read the log first would never get to the --html.
    const run = (args: string[]): Promise<Exit> =>
      new Promise((done) => {
        const child = spawn(process.execPath, [cli, ...args], { cwd: dir });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.stdin.write('{"deviceId":"d1","timestamp":1000,"type":"event","name":"a"}\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.on('close', (code) => {
          clearTimeout(timer);
          child.stdin.destroy();
          done({ code, stdout: '', stderr });
        });
      });
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    for (const [html, reason] of [
      ['no-such-folder/report.html', 'no such file or directory'],
      ['a-folder', 'is a directory'],
    ] as const) {
      const r = await run(['compare', '-', '--html', html]);
      expect(r, html).toMatchObject({ code: 1, stderr: expect.stringContaining(`--html ${html}`) });
      expect(r.stderr).toContain(reason);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('an empty path is a usage mistake, never silently no file (--html= wrote no report and exited 0)', async () => {
    writeFileSync(join(dir, 'one.ndjson'), '{"deviceId":"d1","timestamp":1000,"type":"event","name":"a"}\n');
    for (const args of [['compare', 'one.ndjson', '--html='], ['replay', 'one.ndjson', '--out='], ['replay', 'one.ndjson', '--out', 'o.ndjson', '--checkpoint='], ['replay', 'one.ndjson', '--kits=', '--checkpoint', 'ck'], ['generate', '--devices', '1', '--events', '1', '--seed', '1', '--out=']]) {
      const flag = args.find((a) => a.endsWith('='))!.slice(0, -1);
      expect(await sessionhub(args), args.join(' ')).toMatchObject({ code: 2, stderr: expect.stringContaining(`${flag} needs a path, got ""`) });
    }
  });

  it('usage mistakes exit 2 and say what to fix', async () => {
    expect(await sessionhub(['compare', 'x', '--on-error', 'ignore'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--on-error must be stop or skip, got "ignore"') });
    expect(await sessionhub(['generate', '--devices', '2'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--events is required') });
    expect(await sessionhub(['compare', 'nope.ndjson'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file') });
  });
});
