/**
 * The spawn agent (src/backend/linux/spawn-agent.ts): a Perl helper that runs the host tools for
 * Node. These tests hold it to what `run()` (Node's own spawn) gives: exact argument arrays,
 * stdin/stdout/stderr, exit codes and signals, timeouts, environment; plus what only it does:
 * joining a namespace, sysctls without a process, input given after the start, falling back
 * when it cannot start, and never keeping Node alive.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxBackend } from '../../src/backend/linux/index.js';
import { CommandContext } from '../../src/backend/linux/netns.js';
import { ProcessCounter, hasBinary, run, type RunOptions, type RunResult } from '../../src/backend/linux/run.js';
import { SpawnAgent, setnsSyscallNumber, spawnAgentStarts } from '../../src/backend/linux/spawn-agent.js';
import { createNamespace, destroyAllNamespaces, inNs, namespacePids, systemTestSkipReason } from '../support/netns.js';

const noPerl = hasBinary('perl') ? undefined : 'perl is not installed';
if (noPerl) console.warn(`[skip] spawn agent tests: ${noPerl}`);

const neverFallback = (): Promise<RunResult> => Promise.reject(new Error('the fallback was used'));

/** Poll `done` every 10 ms until it holds or 5 s have passed (loaded CI machines are slow); the caller asserts after. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe.skipIf(noPerl !== undefined)('SpawnAgent: commands', () => {
  const counter = new ProcessCounter();
  const agent = new SpawnAgent();
  const exec = (file: string, args: readonly string[], options: RunOptions = {}) => agent.run({ file, args, options, counter, fallback: neverFallback });
  afterAll(() => agent.close());

  it('passes every argument verbatim: no shell, no splitting, no expansion', async () => {
    const args = ['%s|', 'a b', "it's", '"q"', '$(id)', '`id`', '*', 'line\nbreak', '', '-e', 'é ü'];
    const r = await exec('/usr/bin/printf', args);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${args.slice(1).join('|')}|`);
  });

  it('gives stdin, and returns large stdout and stderr exactly', async () => {
    const input = 'x'.repeat(700_000) + '\n' + 'y'.repeat(300_000);
    const cat = await exec('/bin/cat', [], { input });
    expect(cat.stdout).toBe(input);
    const big = await exec('/usr/bin/head', ['-c', '3000000', '/dev/zero']);
    expect(big.stdout.length).toBe(3_000_000);
    const err = await exec('/bin/sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect([err.code, err.signal, err.stdout, err.stderr]).toEqual([3, null, 'out\n', 'err\n']);
  });

  it('reports a program that cannot be executed as exit 127 with the reason', async () => {
    const r = await exec('/nonexistent/tool', ['x']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('cannot execute /nonexistent/tool: No such file or directory');
  });

  it('onStarted: called once the program has been executed, before its result; never for one that could not be', async () => {
    for (const runIt of [
      (options: RunOptions) => exec('/bin/sh', ['-c', 'read line; echo "$line"'], options),
      (options: RunOptions) => run('/bin/sh', ['-c', 'read line; echo "$line"'], options),
    ]) {
      const events: string[] = [];
      let feed!: (input: string) => void;
      const input = new Promise<string>((resolve) => (feed = resolve));
      const result = runIt({ input, onStarted: () => events.push('started') }).then((r) => events.push(`done ${r.stdout.trim()}`));
      // It runs, waiting on its stdin: started, not done.
      await until(() => events.length > 0);
      expect(events).toEqual(['started']);
      feed('hello\n');
      await result;
      expect(events).toEqual(['started', 'done hello']);
    }
    const missing: string[] = [];
    expect((await exec('/nonexistent/tool', [], { onStarted: () => missing.push('started') })).code).toBe(127);
    await expect(run('/nonexistent/tool', [], { onStarted: () => missing.push('started') })).rejects.toThrow();
    const elsewhere = new SpawnAgent();
    const r = await elsewhere.run({ file: '/bin/echo', args: ['hi'], options: { onStarted: () => missing.push('started') }, netnsPath: '/run/netns/vnt-no-such-namespace', fallback: neverFallback });
    expect(r.code).toBe(126);
    await elsewhere.close();
    expect(missing).toEqual([]);
  });

  it('replaces the whole environment when one is given, and keeps its own otherwise', async () => {
    const given = await exec('/usr/bin/env', [], { env: { ONLY: 'a b=c' } });
    expect(given.stdout).toBe('ONLY=a b=c\n');
    const inherited = await exec('/usr/bin/env', []);
    expect(inherited.stdout).toContain(`PATH=${process.env.PATH}`);
  });

  it('kills a command at its timeout', async () => {
    const started = performance.now();
    const r = await exec('/bin/sleep', ['10'], { timeoutMs: 150 });
    expect([r.code, r.signal, r.timedOut]).toEqual([null, 'SIGKILL', true]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('runs many commands at once, each with its own pipes', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => exec('/bin/cat', [], { input: `job ${i}\n`.repeat(i * 100) })));
    results.forEach((r, i) => expect(r.stdout).toBe(`job ${i}\n`.repeat(i * 100)));
  });

  it('starts a command before its input is known (deferred input), or kills it when it is not needed', async () => {
    let give!: (s: string) => void;
    const pending = exec('/bin/cat', [], { input: new Promise<string>((resolve) => (give = resolve)) });
    await new Promise((r) => setTimeout(r, 50));
    give('late input\n');
    expect((await pending).stdout).toBe('late input\n');
    const dropped = await exec('/bin/cat', [], { input: Promise.reject(new Error('not needed')) });
    expect(dropped.signal).toBe('SIGKILL');
  });

  it('counts each command it ran on the command\'s counter, and itself once in spawnAgentStarts', async () => {
    await agent.close();
    const before = counter.count;
    const startsBefore = spawnAgentStarts();
    await exec('/bin/true', []);
    await exec('/bin/true', []);
    expect(counter.count - before).toBe(2);
    expect(spawnAgentStarts() - startsBefore).toBe(1);
  });

  it('refuses NUL bytes in arguments and bad environment names before anything runs', async () => {
    await expect(exec('/bin/echo', ['a\0b'])).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(exec('/usr/bin/env', [], { env: { 'A=B': 'c' } })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(exec('/usr/bin/env', [], { env: { '': 'c' } })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('reaps a child that closed its pipes but runs on, without waiting on its pipes', async () => {
    // The shell closes stdout and stderr, then lives 150 ms more: done comes at its exit.
    const started = performance.now();
    const r = await exec('/bin/sh', ['-c', 'exec >&- 2>&-; sleep 0.15; exit 4']);
    expect(r.code).toBe(4);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe.skipIf(noPerl !== undefined)('SpawnAgent: life cycle', () => {
  it('falls back (and says why) when perl cannot be started, running each command once', async () => {
    const counter = new ProcessCounter();
    const agent = new SpawnAgent({ perl: '/nonexistent/perl' });
    let fallbacks = 0;
    const fallback = () => {
      fallbacks++;
      return run('/bin/echo', ['hi'], {}, counter);
    };
    const r = await agent.run({ file: '/bin/echo', args: ['hi'], counter, fallback });
    expect([r.stdout, fallbacks, counter.count]).toEqual(['hi\n', 1, 1]);
    expect(agent.unusable).toMatch(/cannot start \/nonexistent\/perl/);
    expect(await agent.usable()).toBe(false);
  });

  it('reports a namespace that cannot be joined as exit 126 with the reason, running nothing', async () => {
    const agent = new SpawnAgent();
    const r = await agent.run({ file: '/bin/echo', args: ['hi'], netnsPath: '/run/netns/vnt-no-such-namespace', fallback: neverFallback });
    expect([r.code, r.stdout]).toEqual([126, '']);
    expect(r.stderr).toBe('cannot open network namespace /run/netns/vnt-no-such-namespace: No such file or directory\n');
    expect(await agent.writeSysctls('/run/netns/vnt-no-such-namespace', [['net/ipv4/ip_forward', '1']])).toEqual([
      { ok: false, message: 'cannot open network namespace /run/netns/vnt-no-such-namespace: No such file or directory' },
    ]);
    await agent.close();
  });

  it('a command still waiting for deferred input when the agent is closed gets EOF instead of waiting for ever', async () => {
    const agent = new SpawnAgent();
    const never = new Promise<string>(() => undefined);
    const waiting = agent.run({ file: '/bin/sh', args: ['-c', 'read line; echo "got:$line"'], options: { input: never }, fallback: neverFallback });
    await agent.usable();
    await new Promise((r) => setTimeout(r, 50));
    await agent.close();
    const r = await waiting;
    expect([r.code, r.stdout]).toEqual([0, 'got:\n']);
  });

  it('keeps children forked ahead while idle: the next commands run in them, and none is left when it stops', async () => {
    const agent = new SpawnAgent();
    const sh = (script: string, input?: string) => agent.run({ file: '/bin/sh', args: ['-c', script], options: input === undefined ? {} : { input }, fallback: neverFallback });
    const agentPid = Number((await sh('echo $PPID')).stdout);
    // The agent's children that run no command: perl, forked from it, waiting.
    const spares = () =>
      readFileSync(`/proc/${agentPid}/task/${agentPid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
        .filter((pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'perl'; } catch { return false; } });
    await until(() => spares().length >= 3);
    const ready = spares();
    expect(ready).toHaveLength(3);
    // One command while two spares still wait: it runs in a spare, and gets EOF on its input (no
    // other spare holds a copy of its stdin's write end).
    const one = await sh('echo $$; cat', 'only\n');
    expect(one.code).toBe(0);
    const [pid, text] = one.stdout.split('\n');
    expect(ready).toContain(Number(pid));
    expect(text).toBe('only');
    await agent.close();
    for (const p of ready) expect(existsSync(`/proc/${p}`)).toBe(false);
  });

  it('stops when idle and starts again on the next command', async () => {
    const counter = new ProcessCounter();
    const agent = new SpawnAgent({ idleMs: 50 });
    const exec = (file: string, args: readonly string[]) => agent.run({ file, args, counter, fallback: neverFallback });
    const pid1 = Number((await exec('/bin/sh', ['-c', 'echo $PPID'])).stdout);
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await until(() => !alive(pid1));
    expect(alive(pid1)).toBe(false); // the first agent is gone
    const pid2 = Number((await exec('/bin/sh', ['-c', 'echo $PPID'])).stdout);
    expect(pid2).not.toBe(pid1);
    expect(counter.count).toBe(2); // two commands (each agent counts in spawnAgentStarts)
    await agent.close();
  });

  it('close() lets the commands in flight finish, and a command sent meanwhile goes to a new agent', async () => {
    const agent = new SpawnAgent();
    const slow = agent.run({ file: '/bin/sh', args: ['-c', 'sleep 0.2; echo $PPID'], fallback: neverFallback });
    await new Promise((r) => setTimeout(r, 50));
    const closing = agent.close();
    const next = agent.run({ file: '/bin/sh', args: ['-c', 'echo $PPID'], fallback: neverFallback });
    const [first, second] = await Promise.all([slow, next, closing]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(Number(first.stdout)).toBeGreaterThan(0);
    expect(Number(second.stdout)).toBeGreaterThan(0);
    expect(first.stdout).not.toBe(second.stdout);
    await agent.close();
  });

  const moduleUrl = JSON.stringify(new URL('../../src/backend/linux/spawn-agent.ts', import.meta.url).pathname);
  const runScript = (body: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { SpawnAgent } from ${moduleUrl};\n${body}`], { encoding: 'utf8', timeout: 20_000 });

  it('never keeps Node running: a script that used it exits at once', () => {
    const started = performance.now();
    const r = runScript(`
      const agent = new SpawnAgent({ idleMs: 60000 });
      const r = await agent.run({ file: '/bin/echo', args: ['done'], fallback: () => Promise.reject(new Error('fallback')) });
      process.stdout.write(r.stdout);
    `);
    expect([r.stdout, r.status]).toEqual(['done\n', 0]);
    expect(performance.now() - started).toBeLessThan(15_000); // not the 60 s idle time
  });

  it('keeps Node running while it is awaited: close() and a command in flight finish', () => {
    const r = runScript(`
      const agent = new SpawnAgent({ idleMs: 60000 });
      const slow = await agent.run({ file: '/bin/sh', args: ['-c', 'sleep 0.3; echo slow'], fallback: () => Promise.reject(new Error('fallback')) });
      await agent.close();
      process.stdout.write(slow.stdout + 'closed\\n');
    `);
    expect([r.stdout, r.stderr, r.status]).toEqual(['slow\nclosed\n', '', 0]);
  });
});

const systemSkip = noPerl ?? systemTestSkipReason() ?? (setnsSyscallNumber() === undefined ? `setns number unknown for ${process.arch}` : undefined);
if (systemSkip && !noPerl) console.warn(`[skip] spawn agent namespace tests: ${systemSkip}`);

describe.skipIf(systemSkip !== undefined)('SpawnAgent in a network namespace', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace('agent');
  });
  afterAll(async () => {
    await destroyAllNamespaces();
    await new CommandContext().close();
  });

  it('runs tools inside the namespace', async () => {
    const ctx = new CommandContext(ns);
    expect(ctx.agent).toBeDefined();
    expect((await ctx.ip(['link', 'add', 'vntagent0', 'type', 'bridge'])).code).toBe(0);
    const inside = await ctx.tool('ip', ['-o', 'link', 'show']);
    expect(inside.stdout).toContain('vntagent0');
    const host = await run('ip', ['-o', 'link', 'show']);
    expect(host.stdout).not.toContain('vntagent0');
    expect(ctx.spawnMode).toBe('agent');
  });

  it("writes and reads the namespace's sysctls without a process, leaving the host's alone", async () => {
    const ctx = new CommandContext(ns);
    const hostBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const target = hostBefore.trim() === '1' ? '0' : '1';
    expect(await ctx.agent!.usable()).toBe(true);
    const before = ctx.counter.count;
    const written = await ctx.agent!.writeSysctls(ctx.netnsPath, [
      ['net/ipv4/ip_forward', target],
      ['net/ipv4/conf/nope0/forwarding', '1'],
      ['net/ipv4/ip_forward', hostBefore.trim()],
    ]);
    expect(written[0]).toEqual({ ok: true, previous: expect.any(String) });
    expect(written[1]).toMatchObject({ ok: false, message: expect.stringContaining('No such file or directory') });
    expect(written).toHaveLength(2); // stopped at the failure
    expect(ctx.counter.count).toBe(before);
    expect((await inNs(ns, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe(target);
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostBefore);
    expect(await ctx.agent!.readSysctls(ctx.netnsPath, ['net/ipv4/ip_forward', '../../etc/passwd', 'kernel/hostname', 'net/ipv4/nope'])).toEqual([target, undefined, undefined, undefined]);
    // Back in its own namespace afterwards: the host's value, read through the agent.
    expect(await ctx.agent!.readSysctls('', ['net/ipv4/ip_forward'])).toEqual([hostBefore.trim()]);
  });

  it('is never a process inside the namespace, and one agent serves every namespace', async () => {
    const other = await createNamespace('agent');
    const a = new CommandContext(ns);
    const b = new CommandContext(other);
    const [pa, pb] = await Promise.all([a.tool('sh', ['-c', 'echo $PPID']), b.tool('sh', ['-c', 'echo $PPID'])]);
    expect(pa.stdout).toBe(pb.stdout);
    const agentPid = Number(pa.stdout);
    expect(await namespacePids(ns)).not.toContain(agentPid);
    expect(await namespacePids(other)).not.toContain(agentPid);
    expect((await b.tool('ip', ['-o', 'link', 'show'])).stdout).not.toContain('vntagent0');
  });

  it('refuses sysctl paths outside /proc/sys/net', async () => {
    const ctx = new CommandContext(ns);
    await ctx.agent!.usable();
    const r = await ctx.agent!.writeSysctls(ctx.netnsPath, [['net/../kernel/hostname', 'x']]);
    expect(r).toEqual([{ ok: false, message: 'invalid sysctl net/../kernel/hostname' }]);
  });

  it('prewarm: the next tool call with the same command line takes the waiting process', async () => {
    const ctx = new CommandContext(ns);
    expect(await ctx.agent!.usable()).toBe(true);
    ctx.prewarm('cat', []);
    await new Promise((r) => setTimeout(r, 30));
    const r = await ctx.tool('cat', [], { input: 'fed later\n' });
    expect(r.stdout).toBe('fed later\n');
    ctx.prewarm('cat', ['-n']);
    await ctx.dropPrewarmed();
    // cat, and cat -n (killed): nothing else ran.
    expect(ctx.counter.count).toBe(2);
  });

  it('LinuxBackend.warmUp starts the agent in the background; with spawn: direct it starts nothing', async () => {
    const backend = new LinuxBackend({ netns: ns, runDir: join(tmpdir(), `vnt-warm-${process.pid}`) });
    await backend.close();
    const before = spawnAgentStarts();
    backend.warmUp();
    expect(await backend.executor.ctx.agent!.usable()).toBe(true);
    expect(spawnAgentStarts() - before).toBe(1);
    const direct = new LinuxBackend({ netns: ns, runDir: join(tmpdir(), `vnt-warm-${process.pid}`), spawn: 'direct' });
    direct.warmUp();
    expect(direct.executor.ctx.agent).toBeUndefined();
    expect(spawnAgentStarts() - before).toBe(1);
  });

  it('direct mode spawns each tool from Node, through nsenter', async () => {
    const ctx = new CommandContext(ns, undefined, 'direct');
    expect(ctx.agent).toBeUndefined();
    const r = await ctx.tool('ip', ['-o', 'link', 'show']);
    expect(r.stdout).toContain('vntagent0');
    expect(ctx.spawnMode).toBe('direct');
  });
});
