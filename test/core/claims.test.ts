// Claim files (how cf-ml1m --jobs shares runs between processes): a claim is exclusive, a dead owner's
// claim is taken over, a live owner's (or another host's) is not, a lock serialises updates and names
// itself when it stays held; two real processes racing over the same runs never take one twice. And
// cf-ml1m refuses a bad --jobs before any work.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { heldByOther, readClaim, releaseClaim, tryClaim, withFileLock } from '../../src/core/claims';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claims-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('claims', () => {
  it('are exclusive, and released only by their owner', () => {
    const c = path.join(dir, 'a', 'run.claim');
    expect(tryClaim(c)).toBe(true);
    expect(readClaim(c)).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(tryClaim(c), 'held already (by this process)').toBe(false);
    releaseClaim(c);
    expect(fs.existsSync(c)).toBe(false);
    fs.writeFileSync(c, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: 'x' }));
    releaseClaim(c);
    expect(fs.existsSync(c), "another process's claim is left alone").toBe(true);
  });

  it("take over a dead process's claim but not a live one's, nor another host's", () => {
    const dead = path.join(dir, 'dead.claim'), live = path.join(dir, 'live.claim'), far = path.join(dir, 'far.claim'), blank = path.join(dir, 'blank.claim');
    fs.writeFileSync(dead, JSON.stringify({ pid: deadPid(), host: os.hostname(), since: 'x' }));
    fs.writeFileSync(live, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: 'x' }));
    fs.writeFileSync(far, JSON.stringify({ pid: deadPid(), host: `${os.hostname()}-elsewhere`, since: 'x' }));
    fs.writeFileSync(blank, '');
    expect(tryClaim(dead)).toBe(true);
    expect(readClaim(dead)!.pid).toBe(process.pid);
    expect(tryClaim(live)).toBe(false);
    expect(tryClaim(far)).toBe(false);
    expect(tryClaim(blank), 'a claim being written is live for a while').toBe(false);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(blank, old, old);
    expect(tryClaim(blank), 'an unreadable claim older than a minute is stale').toBe(true);
  });

  it('say whether another live process holds a claim (not this one, not a dead one, not none)', () => {
    const own = path.join(dir, 'own.claim'), other = path.join(dir, 'other.claim'), gone = path.join(dir, 'gone.claim');
    expect(tryClaim(own)).toBe(true);
    fs.writeFileSync(other, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: 'x' }));
    fs.writeFileSync(gone, JSON.stringify({ pid: deadPid(), host: os.hostname(), since: 'x' }));
    expect([heldByOther(own), heldByOther(other), heldByOther(gone), heldByOther(path.join(dir, 'none.claim'))]).toEqual([false, true, false, false]);
    releaseClaim(own);
  });

  it('a lock runs the function, releases on error, and names itself when it stays held', () => {
    const lock = path.join(dir, 'results.json.lock');
    expect(withFileLock(lock, () => 7)).toBe(7);
    expect(fs.existsSync(lock)).toBe(false);
    expect(() => withFileLock(lock, () => { throw new Error('boom'); })).toThrow('boom');
    expect(fs.existsSync(lock)).toBe(false);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: 'then' }));
    expect(() => withFileLock(lock, () => 1, 200)).toThrow(new RegExp(`the lock .*results\\.json\\.lock is still held after 0\\.2 s by pid ${process.ppid}`));
  });

  it('two live processes racing over 200 runs take each exactly once', async () => {
    const race = path.join(dir, 'race'), go = path.join(race, 'go'), stop = path.join(race, 'stop');
    fs.mkdirSync(race);
    // both start claiming when "go" appears and stay alive (their claims live) until "stop" appears
    const script = `const fs = require('fs'); const { tryClaim } = require(${JSON.stringify(path.join(ROOT, 'dist', 'core', 'claims.js'))});
      const wait = (f) => { while (!fs.existsSync(f)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); };
      process.stdout.write('ready\\n'); wait(${JSON.stringify(go)});
      const got = []; for (let i = 0; i < 200; i++) if (tryClaim(${JSON.stringify(race)} + '/run' + i + '.claim')) got.push(i);
      process.stdout.write(JSON.stringify(got) + '\\n'); wait(${JSON.stringify(stop)});`;
    const racers = [0, 1].map(() => {
      const c = spawn(process.execPath, ['-e', script]);
      const lines: string[] = [];
      let buf = '';
      c.stdout.on('data', (d: Buffer) => { buf += d.toString(); const parts = buf.split('\n'); buf = parts.pop()!; lines.push(...parts); });
      const exited = new Promise<number | null>((resolve) => c.on('exit', resolve));
      return { lines, exited };
    });
    const until = async (ok: () => boolean) => { while (!ok()) await new Promise((r) => setTimeout(r, 10)); };
    await until(() => racers.every((r) => r.lines.length >= 1));
    fs.writeFileSync(go, '');
    await until(() => racers.every((r) => r.lines.length >= 2));
    fs.writeFileSync(stop, '');
    expect(await Promise.all(racers.map((r) => r.exited))).toEqual([0, 0]);
    const [a, b] = racers.map((r) => JSON.parse(r.lines[1]!) as number[]);
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual([...Array(200).keys()]);
  });

  it('cf-ml1m refuses a bad --jobs or --fresh-since before any work', () => {
    const cases: [string[], RegExp][] = [
      [['--jobs', '0'], /--jobs/],
      [['--fresh-since', '2026-12-07T15:10:00Z'], /--fresh-since needs --fresh/],
      [['--fresh', '--fresh-since', 'yesterday'], /--fresh-since: expected a time such as .*, got "yesterday"/],
    ];
    for (const [args, err] of cases) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'cf-ml1m.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(err);
    }
  });
});
