/**
 * The spawn agent (src/backend/linux/spawn-agent.ts): a Perl helper that runs the host tools for
 * Node. These tests hold it to what `run()` (Node's own spawn) gives: exact argument arrays,
 * stdin/stdout/stderr, exit codes and signals, timeouts, environment; plus what only it does:
 * joining a namespace, sysctls without a process, input given after the start, falling back
 * when it cannot start, and never keeping Node alive.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandContext } from '../../src/backend/linux/netns.js';
import { ProcessCounter, hasBinary, run, type RunResult } from '../../src/backend/linux/run.js';
import { SpawnAgent, setnsSyscallNumber } from '../../src/backend/linux/spawn-agent.js';
import { createNamespace, destroyAllNamespaces, inNs, systemTestSkipReason } from '../support/netns.js';

const noPerl = hasBinary('perl') ? undefined : 'perl is not installed';
if (noPerl) console.warn(`[skip] spawn agent tests: ${noPerl}`);

const neverFallback = (): Promise<RunResult> => Promise.reject(new Error('the fallback was used'));

describe.skipIf(noPerl !== undefined)('SpawnAgent: commands', () => {
  const counter = new ProcessCounter();
  const agent = new SpawnAgent({ counter });
  afterAll(() => agent.close());

  it('passes every argument verbatim: no shell, no splitting, no expansion', async () => {
    const args = ['%s|', 'a b', "it's", '"q"', '$(id)', '`id`', '*', 'line\nbreak', '', '-e', 'é ü'];
    const r = await agent.run('/usr/bin/printf', args, {}, neverFallback);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${args.slice(1).join('|')}|`);
  });

  it('gives stdin, and returns large stdout and stderr exactly', async () => {
    const input = 'x'.repeat(700_000) + '\n' + 'y'.repeat(300_000);
    const cat = await agent.run('/bin/cat', [], { input }, neverFallback);
    expect(cat.stdout).toBe(input);
    const big = await agent.run('/usr/bin/head', ['-c', '3000000', '/dev/zero'], {}, neverFallback);
    expect(big.stdout.length).toBe(3_000_000);
    const err = await agent.run('/bin/sh', ['-c', 'echo out; echo err >&2; exit 3'], {}, neverFallback);
    expect([err.code, err.signal, err.stdout, err.stderr]).toEqual([3, null, 'out\n', 'err\n']);
  });

  it('reports a program that cannot be executed as exit 127 with the reason', async () => {
    const r = await agent.run('/nonexistent/tool', ['x'], {}, neverFallback);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('cannot execute /nonexistent/tool: No such file or directory');
  });

  it('replaces the whole environment when one is given, and keeps its own otherwise', async () => {
    const given = await agent.run('/usr/bin/env', [], { env: { ONLY: 'a b=c' } }, neverFallback);
    expect(given.stdout).toBe('ONLY=a b=c\n');
    const inherited = await agent.run('/usr/bin/env', [], {}, neverFallback);
    expect(inherited.stdout).toContain(`PATH=${process.env.PATH}`);
  });

  it('kills a command at its timeout', async () => {
    const started = performance.now();
    const r = await agent.run('/bin/sleep', ['10'], { timeoutMs: 150 }, neverFallback);
    expect([r.code, r.signal, r.timedOut]).toEqual([null, 'SIGKILL', true]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('runs many commands at once, each with its own pipes', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => agent.run('/bin/cat', [], { input: `job ${i}\n`.repeat(i * 100) }, neverFallback)));
    results.forEach((r, i) => expect(r.stdout).toBe(`job ${i}\n`.repeat(i * 100)));
  });

  it('starts a command before its input is known (deferred input), or kills it when it is not needed', async () => {
    let give!: (s: string) => void;
    const pending = agent.run('/bin/cat', [], { input: new Promise<string>((resolve) => (give = resolve)) }, neverFallback);
    await new Promise((r) => setTimeout(r, 50));
    give('late input\n');
    expect((await pending).stdout).toBe('late input\n');
    const dropped = await agent.run('/bin/cat', [], { input: Promise.reject(new Error('not needed')) }, neverFallback);
    expect(dropped.signal).toBe('SIGKILL');
  });

  it('counts itself once and each command it ran', async () => {
    const before = counter.count;
    await agent.run('/bin/true', [], {}, neverFallback);
    await agent.run('/bin/true', [], {}, neverFallback);
    expect(counter.count - before).toBe(2);
  });

  it('refuses NUL bytes in arguments before anything runs', async () => {
    await expect(agent.run('/bin/echo', ['a\0b'], {}, neverFallback)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

describe.skipIf(noPerl !== undefined)('SpawnAgent: life cycle', () => {
  it('falls back (and says why) when perl cannot be started, running each command once', async () => {
    const counter = new ProcessCounter();
    const agent = new SpawnAgent({ perl: '/nonexistent/perl', counter });
    let fallbacks = 0;
    const r = await agent.run('/bin/echo', ['hi'], {}, () => {
      fallbacks++;
      return run('/bin/echo', ['hi'], {}, counter);
    });
    expect([r.stdout, fallbacks, counter.count]).toEqual(['hi\n', 1, 1]);
    expect(agent.unusable).toMatch(/cannot start \/nonexistent\/perl/);
    expect(await agent.usable()).toBe(false);
  });

  it('falls back when the namespace cannot be joined', async () => {
    const agent = new SpawnAgent({ netnsPath: '/run/netns/vnt-no-such-namespace' });
    const r = await agent.run('/bin/echo', ['hi'], {}, () => run('/bin/echo', ['fallback']));
    expect(r.stdout).toBe('fallback\n');
    expect(agent.unusable).toMatch(/cannot open \/run\/netns\/vnt-no-such-namespace/);
  });

  it('stops when idle and starts again on the next command', async () => {
    const counter = new ProcessCounter();
    const agent = new SpawnAgent({ idleMs: 50, counter });
    const pid1 = Number((await agent.run('/bin/sh', ['-c', 'echo $PPID'], {}, neverFallback)).stdout);
    await new Promise((r) => setTimeout(r, 400));
    expect(() => process.kill(pid1, 0)).toThrow(); // the first agent is gone
    const pid2 = Number((await agent.run('/bin/sh', ['-c', 'echo $PPID'], {}, neverFallback)).stdout);
    expect(pid2).not.toBe(pid1);
    expect(counter.count).toBe(4); // two agents, two commands
    await agent.close();
  });

  const moduleUrl = JSON.stringify(new URL('../../src/backend/linux/spawn-agent.ts', import.meta.url).pathname);
  const runScript = (body: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { SpawnAgent } from ${moduleUrl};\n${body}`], { encoding: 'utf8', timeout: 20_000 });

  it('never keeps Node running: a script that used it exits at once', () => {
    const started = performance.now();
    const r = runScript(`
      const agent = new SpawnAgent({ idleMs: 60000 });
      const r = await agent.run('/bin/echo', ['done'], {}, () => Promise.reject(new Error('fallback')));
      process.stdout.write(r.stdout);
    `);
    expect([r.stdout, r.status]).toEqual(['done\n', 0]);
    expect(performance.now() - started).toBeLessThan(15_000); // not the 60 s idle time
  });

  it('keeps Node running while it is awaited: close() and a command in flight finish', () => {
    const r = runScript(`
      const agent = new SpawnAgent({ idleMs: 60000 });
      const slow = await agent.run('/bin/sh', ['-c', 'sleep 0.3; echo slow'], {}, () => Promise.reject(new Error('fallback')));
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
  afterAll(() => destroyAllNamespaces());

  it('runs tools inside the namespace', async () => {
    const ctx = new CommandContext(ns);
    expect(ctx.agent).toBeDefined();
    expect((await ctx.ip(['link', 'add', 'vntagent0', 'type', 'bridge'])).code).toBe(0);
    const inside = await ctx.tool('ip', ['-o', 'link', 'show']);
    expect(inside.stdout).toContain('vntagent0');
    const host = await run('ip', ['-o', 'link', 'show']);
    expect(host.stdout).not.toContain('vntagent0');
    expect(ctx.spawnMode).toBe('agent');
    await ctx.close();
  });

  it("writes and reads the namespace's sysctls without a process, leaving the host's alone", async () => {
    const ctx = new CommandContext(ns);
    const hostBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const target = hostBefore.trim() === '1' ? '0' : '1';
    expect(await ctx.agent!.usable()).toBe(true);
    const before = ctx.counter.count;
    const written = await ctx.agent!.writeSysctls([
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
    expect(await ctx.agent!.readSysctls(['net/ipv4/ip_forward', '../../etc/passwd', 'kernel/hostname', 'net/ipv4/nope'])).toEqual([target, undefined, undefined, undefined]);
    await ctx.close();
  });

  it('refuses sysctl paths outside /proc/sys/net', async () => {
    const ctx = new CommandContext(ns);
    await ctx.agent!.usable();
    const r = await ctx.agent!.writeSysctls([['net/../kernel/hostname', 'x']]);
    expect(r).toEqual([{ ok: false, message: 'invalid sysctl net/../kernel/hostname' }]);
    await ctx.close();
  });

  it('prewarm: the next tool call with the same command line takes the waiting process', async () => {
    const ctx = new CommandContext(ns);
    ctx.prewarm('cat', []);
    await new Promise((r) => setTimeout(r, 30));
    const r = await ctx.tool('cat', [], { input: 'fed later\n' });
    expect(r.stdout).toBe('fed later\n');
    ctx.prewarm('cat', ['-n']);
    await ctx.dropPrewarmed();
    // cat, cat -n (killed) and the agent: nothing else ran.
    expect(ctx.counter.count).toBe(3);
    await ctx.close();
  });

  it('direct mode spawns each tool from Node, through nsenter', async () => {
    const ctx = new CommandContext(ns, undefined, 'direct');
    expect(ctx.agent).toBeUndefined();
    const r = await ctx.tool('ip', ['-o', 'link', 'show']);
    expect(r.stdout).toContain('vntagent0');
    expect(ctx.spawnMode).toBe('direct');
  });
});
