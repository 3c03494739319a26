import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetworkLock } from '../../src/backend/lock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pid that certainly runs nothing: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('NetworkLock in one process', () => {
  it('runs tasks of one network one at a time, in call order, and releases after a throw', async () => {
    const lock = new NetworkLock();
    const events: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([lock.run('n', task('a', 30, true)), lock.run('n', task('b', 5)), lock.run('n', task('c', 1))]);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });

  it('lets different networks overlap', async () => {
    const lock = new NetworkLock();
    const events: string[] = [];
    await Promise.all(
      ['x', 'y'].map((n) =>
        lock.run(n, async () => {
          events.push(`start ${n}`);
          await sleep(20);
          events.push(`end ${n}`);
        }),
      ),
    );
    expect(events.slice(0, 2)).toEqual(['start x', 'start y']);
  });
});

describe('NetworkLock with a lock directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtnet-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds <dir>/<encoded name>.lock with its pid while the task runs, and removes it after', async () => {
    const lock = new NetworkLock({ dir });
    const seen = await lock.run('a/b', async () => readdir(dir));
    expect(seen).toEqual(['a%2Fb.lock']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('two lock objects on one directory in one process exclude each other', async () => {
    const one = new NetworkLock({ dir });
    const two = new NetworkLock({ dir, timeoutMs: 2000 });
    const events: string[] = [];
    await Promise.all([
      one.run('n', async () => {
        events.push('one in');
        await sleep(30);
        events.push('one out');
      }),
      two.run('n', async () => {
        events.push('two in');
        events.push('two out');
      }),
    ]);
    expect(events).toEqual(['one in', 'one out', 'two in', 'two out']);
  });

  it('breaks a stale lock whose owner is dead', async () => {
    await writeFile(join(dir, 'n.lock'), `${await deadPid()}\n`);
    const lock = new NetworkLock({ dir, timeoutMs: 2000 });
    expect(await lock.run('n', async () => 'ran')).toBe('ran');
  });

  it('waits for a live owner and gives up with lock.timeout', async () => {
    await writeFile(join(dir, 'n.lock'), `${process.ppid}\n`);
    const lock = new NetworkLock({ dir, timeoutMs: 150 });
    const started = Date.now();
    await expect(lock.run('n', async () => 'ran')).rejects.toMatchObject({ code: 'lock.timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(existsSync(join(dir, 'n.lock'))).toBe(true); // a live owner's lock is never removed
  });

  it('excludes another process', async () => {
    const lockModule = resolve('src/backend/lock.ts');
    const script = `
      import { NetworkLock } from ${JSON.stringify(lockModule)};
      const lock = new NetworkLock({ dir: ${JSON.stringify(dir)} });
      await lock.run('shared', async () => {
        console.log('child in');
        await new Promise((r) => setTimeout(r, 600));
        console.log('child out');
      });`;
    const file = join(dir, 'child.mts');
    await writeFile(file, script);
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const childIn = new Promise<void>((r) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('child in')) r();
      }),
    );
    const exited = new Promise((r) => child.on('exit', r));
    await childIn;
    const lock = new NetworkLock({ dir, timeoutMs: 10_000 });
    const childOutputWhenWeGotIt = await lock.run('shared', async () => output);
    await exited;
    expect(childOutputWhenWeGotIt).toContain('child out');
  });
});
