/**
 * The LinuxBackend's firewall with as few processes as libvirt's own recipe allows, on real
 * nft / iptables in namespaces this file creates and removes:
 * - nftables: the handles nft echoes when the rules go in are kept with the network's record and
 *   the teardown deletes by handle (one nft, no listing); a stale handle falls back to listing and
 *   still removes everything; another network's rules stay; a record without handles (written
 *   before they were kept) still tears down by listing.
 * - iptables: a first start in a fresh namespace runs no iptables-save (the chains are created
 *   with `-N`, which fails if one exists); what is known of libvirt's chains outlives the executor
 *   (a file in the run folder), so a new backend's start runs none either; a stale file (chains
 *   flushed and deleted) is noticed by the failing restore, which probes and retries; chains that
 *   exist without a file (another run folder, libvirtd) fail the guess, and are never flushed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLiveDnsmasq } from '../../src/backend/linux/dnsmasq-process.js';
import { LinuxBackend } from '../../src/backend/linux/index.js';
import { FileStateStore } from '../../src/backend/state-store.js';
import { compileNetwork } from '../../src/compile/compile.js';
import { expectedIptablesSaveLines, expectedNftRules, parseIptablesSave, parseNftListing, type FirewallRules } from '../../src/compile/firewall/index.js';
import type { AddFirewallOp, FirewallBackendName, Plan, RemoveFirewallOp } from '../../src/compile/plan.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { createNamespace, destroyAllNamespaces, inNs, sh, sweepStaleNamespaces, systemTestSkipReason } from '../support/netns.js';

const skip = systemTestSkipReason(['dnsmasq', 'nft', 'iptables-restore', 'iptables-save', 'iptables', 'sysctl']);
if (skip) console.warn(`[backend/linux-firewall-handles] SKIPPED: ${skip}`);

const DEFAULT_XML = readFileSync(new URL('../../examples/networks/default.xml', import.meta.url), 'utf8');
const SECOND_XML = `<network>
  <name>second</name>
  <bridge name='virbr1'/>
  <forward/>
  <ip address='192.168.123.1' netmask='255.255.255.0'/>
</network>`;

const temp: string[] = [];
afterAll(async () => {
  await destroyAllNamespaces();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

function folders(): { stateDir: string; pidDir: string; runDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'vnt-fwh-'));
  temp.push(base);
  return { stateDir: join(base, 'lib'), pidDir: join(base, 'run'), runDir: join(base, 'virtnet') };
}

function compile(xml: string, firewall: FirewallBackendName, dirs: { stateDir: string; pidDir: string }): Plan {
  return compileNetwork(parseNetwork(xml), { firewallBackend: firewall, stateDir: dirs.stateDir, pidDir: dirs.pidDir, leaseHelper: null });
}

function rulesOf(plan: Plan): FirewallRules {
  return (plan.operations.find((op) => op.kind === 'firewall.add') as AddFirewallOp).rules;
}

/** The network's nft rules the namespace holds, per `family chain`, as listed. */
async function nftRulesOf(ns: string, rules: FirewallRules): Promise<Record<string, string[]>> {
  const listing = parseNftListing((await sh('ip', ['netns', 'exec', ns, 'nft', '-a', 'list', 'ruleset'])).stdout);
  const out: Record<string, string[]> = {};
  for (const family of expectedNftRules(rules)) {
    for (const [chain, lines] of Object.entries(family.chains)) {
      const own = new Set(lines);
      out[`${family.table} ${chain}`] = (listing.tables[family.table]?.chains[chain] ?? []).map((r) => r.text).filter((t) => own.has(t));
    }
  }
  return out;
}

/** What a listing shows of a network that is up alone in its chains (or, `[]` each, gone). */
function nftExpected(rules: FirewallRules, up: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const family of expectedNftRules(rules)) for (const [chain, lines] of Object.entries(family.chains)) out[`${family.table} ${chain}`] = up ? lines : [];
  return out;
}

/** What `iptables-save` shows in the namespace, parsed. */
async function iptablesDump(ns: string): Promise<ReturnType<typeof parseIptablesSave>> {
  return parseIptablesSave((await sh('ip', ['netns', 'exec', ns, 'iptables-save'])).stdout);
}

/** Assert that each table of `iptables-save` in the namespace holds exactly the plan's rules, with libvirt's chains and jumps. */
async function expectIptablesShowsOnly(ns: string, plan: Plan): Promise<void> {
  const dump = await iptablesDump(ns);
  for (const [table, lines] of Object.entries(expectedIptablesSaveLines(rulesOf(plan), 'ipv4', { includeBase: true }))) expect(dump.tables[table]?.rules).toEqual(lines);
}

/** The recorded teardown removal of a network (from the record file), if any. */
async function recordedRemoval(dirs: { runDir: string }, ns: string, network: string): Promise<RemoveFirewallOp | undefined> {
  const record = await new FileStateStore(join(dirs.runDir, 'netns', ns, 'networks')).getRecord(network);
  return record?.facts?.inverses.find((r) => r.operation.kind === 'firewall.remove')?.operation as RemoveFirewallOp | undefined;
}

/** Record the names of the tools a backend runs. */
function spyTools(backend: LinuxBackend): string[] {
  const ctx = backend.executor.ctx;
  const tool = ctx.tool.bind(ctx);
  const seen: string[] = [];
  ctx.tool = (command, args, options) => {
    seen.push([command, ...args].join(' '));
    return tool(command, args, options);
  };
  return seen;
}

/**
 * Start the default network with nftables, then do what someone might by hand: delete one of its
 * rules in `chain` and insert it again (same text, a new handle), so a recorded handle is stale.
 */
async function startWithOneRuleReplaced(chain: string): Promise<{ ns: string; rules: FirewallRules; backend: LinuxBackend }> {
  const ns = await createNamespace('fwh');
  const dirs = folders();
  const plan = compile(DEFAULT_XML, 'nftables', dirs);
  const backend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
  expect((await backend.apply(plan)).error).toBeUndefined();
  const handles = (await recordedRemoval(dirs, ns, 'default'))!.handles!;
  const listing = parseNftListing((await inNs(ns, 'nft', ['-a', 'list', 'ruleset'])).stdout);
  const victim = listing.tables['ip libvirt_network']!.chains[chain]!.find((r) => handles.includes(r.handle!))!;
  await sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `delete rule ip libvirt_network ${chain} handle ${victim.handle}\ninsert rule ip libvirt_network ${chain} ${victim.text}\n`);
  return { ns, rules: rulesOf(plan), backend };
}

describe.skipIf(skip !== undefined)('LinuxBackend firewall: nft handles and the iptables chain cache', () => {
  beforeAll(async () => {
    await sweepStaleNamespaces();
  });

  it.concurrent('nftables: the handles recorded at start are what the stop deletes, with one nft and no listing', async () => {
    const ns = await createNamespace('fwh');
    const dirs = folders();
    const plan = compile(DEFAULT_XML, 'nftables', dirs);
    const rules = rulesOf(plan);
    const backend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    const seen = spyTools(backend);

    const started = await backend.apply(plan);
    expect(started.error).toBeUndefined();
    // (An executor may start that nft ahead of its input: the same command line, one process.)
    expect(new Set(seen.filter((c) => c.startsWith('nft')))).toEqual(new Set(['nft -a -e -f -']));
    expect(await nftRulesOf(ns, rules)).toEqual(nftExpected(rules, true));
    const removal = await recordedRemoval(dirs, ns, 'default');
    expect(removal?.handles).toHaveLength(10);
    // Each recorded handle is one of the network's rules in the listing, in its family and chain.
    const listing = parseNftListing((await inNs(ns, 'nft', ['-a', 'list', 'ruleset'])).stdout);
    const listedHandles = Object.values(listing.tables['ip libvirt_network']?.chains ?? {}).flat().map((r) => r.handle);
    for (const h of removal!.handles!) expect(listedHandles).toContain(h);

    // Re-applying the same plan is still a no-op: the record's plan is the plan.
    expect(await backend.apply(plan)).toMatchObject({ ok: true, unchanged: true, processes: 0 });

    seen.length = 0;
    const stopped = await backend.teardown('default');
    expect(stopped.error).toBeUndefined();
    // One `ip -batch` (link down, delete) and one `nft -f -` of `delete rule … handle N`.
    expect(stopped.processes).toBe(2);
    expect(seen).toEqual(['nft -f -']);
    expect(await nftRulesOf(ns, rules)).toEqual(nftExpected(rules, false));
  });

  it.concurrent('a stop starts the ip batch first, stops dnsmasq once ip runs, and removes the rules once dnsmasq has exited', async () => {
    const ns = await createNamespace('fwh');
    const dirs = folders();
    const plan = compile(DEFAULT_XML, 'nftables', dirs);
    const backend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    expect((await backend.apply(plan)).error).toBeUndefined();
    const dnsmasq = Number(readFileSync(join(dirs.pidDir, 'default.pid'), 'utf8'));
    // Running: a dnsmasq, not a zombie waiting for its parent (init) to reap it.
    const running = () => isLiveDnsmasq(dnsmasq);
    expect(running()).toBe(true);
    // What had happened when each command was asked for.
    const events: string[] = [];
    const ctx = backend.executor.ctx;
    const ip = ctx.ip.bind(ctx);
    const tool = ctx.tool.bind(ctx);
    ctx.ip = (args, options) => {
      events.push(`ip ${args.join(' ')}`);
      const onStarted = options?.onStarted;
      const result = ip(args, { ...options, onStarted: () => (events.push(`ip started (dnsmasq ${running() ? 'running' : 'gone'})`), onStarted?.()) });
      void result.then(() => events.push('ip done'));
      return result;
    };
    ctx.tool = (command, args, options) => {
      events.push(`${command} ${args.join(' ')} (dnsmasq ${running() ? 'running' : 'gone'})`);
      return tool(command, args, options);
    };
    const stopped = await backend.teardown('default');
    expect(stopped.error).toBeUndefined();
    expect(events.slice(0, 2)).toEqual(['ip -force -batch -', 'ip started (dnsmasq running)']);
    // The rules go once dnsmasq has exited, or once the bridge is gone if that came first (a
    // dnsmasq slow to exit, e.g. while other tests load the machine).
    const nft = events.filter((e) => e.startsWith('nft'));
    expect(nft).toHaveLength(1);
    const nftAt = events.indexOf(nft[0]!);
    expect(nft[0] === 'nft -f - (dnsmasq gone)' || events.slice(0, nftAt).includes('ip done'), events.join(' | ')).toBe(true);
    expect(await nftRulesOf(ns, rulesOf(plan))).toEqual(nftExpected(rulesOf(plan), false));
  });

  it.concurrent('nftables: with a handle gone, the stop lists the ruleset and still removes every rule', async () => {
    const { ns, rules, backend } = await startWithOneRuleReplaced('guest_cross');
    const seen = spyTools(backend);
    const stopped = await backend.teardown('default');
    expect(stopped.error).toBeUndefined();
    expect(stopped.ok).toBe(true);
    expect(seen).toEqual(['nft -f -', 'nft -a list ruleset', 'nft -f -']);
    expect(stopped.processes).toBe(4);
    expect(await nftRulesOf(ns, rules)).toEqual(nftExpected(rules, false));
  });

  it.concurrent('nftables: with a handle gone and the bridge already deleted, the listing still finds every rule', async () => {
    // The teardown deletes the bridge beside the rule removal, so a fallback listing may come
    // after the bridge is gone, when nft prints `iif "virbr0"` as `iif <index>`.
    const { ns, backend } = await startWithOneRuleReplaced('guest_output');
    await sh('ip', ['-n', ns, 'link', 'delete', 'virbr0']);
    expect((await inNs(ns, 'nft', ['list', 'chain', 'ip', 'libvirt_network', 'guest_output'])).stdout).toMatch(/iif \d+ /);

    const stopped = await backend.teardown('default');
    expect(stopped.ok).toBe(true);
    const left = (await inNs(ns, 'nft', ['list', 'table', 'ip', 'libvirt_network'])).stdout;
    expect(left).not.toMatch(/192\.168\.122\.0|iif \d+|oif \d+/);
  });

  it.concurrent('nftables: stopping one of two networks leaves the other\'s rules; a record without handles stops by listing', async () => {
    const ns = await createNamespace('fwh');
    const dirs = folders();
    const first = compile(DEFAULT_XML, 'nftables', dirs);
    const second = compile(SECOND_XML, 'nftables', dirs);
    const backend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    expect((await backend.apply(first)).error).toBeUndefined();
    expect((await backend.apply(second)).error).toBeUndefined();
    expect(await nftRulesOf(ns, rulesOf(first))).toEqual(nftExpected(rulesOf(first), true));
    expect(await nftRulesOf(ns, rulesOf(second))).toEqual(nftExpected(rulesOf(second), true));

    expect((await backend.teardown('default')).processes).toBe(2);
    expect(await nftRulesOf(ns, rulesOf(first))).toEqual(nftExpected(rulesOf(first), false));
    expect(await nftRulesOf(ns, rulesOf(second))).toEqual(nftExpected(rulesOf(second), true));

    // The record as an older virtnet wrote it: the plan alone.
    const store = new FileStateStore(join(dirs.runDir, 'netns', ns, 'networks'));
    await store.set('second', second);
    expect(await store.getRecord('second')).toEqual({ plan: second });
    const seen = spyTools(backend);
    const stopped = await backend.teardown('second');
    expect(stopped.error).toBeUndefined();
    expect(seen).toEqual(['nft -a list ruleset', 'nft -f -']);
    expect(await nftRulesOf(ns, rulesOf(second))).toEqual(nftExpected(rulesOf(second), false));
  });

  it.concurrent('iptables: a new backend with the same run folder starts without iptables-save; a stale cache is noticed and repaired', async () => {
    const ns = await createNamespace('fwh');
    const dirs = folders();
    const plan = compile(DEFAULT_XML, 'iptables', dirs);
    const rules = rulesOf(plan);
    const expected = expectedIptablesSaveLines(rules, 'ipv4', { includeBase: true });
    const dump = async () => {
      const state = await iptablesDump(ns);
      return Object.fromEntries(Object.entries(expected).map(([table]) => [table, state.tables[table]?.rules ?? []]));
    };
    const cacheFile = join(dirs.runDir, 'netns', ns, 'iptables-chains.json');

    const firstBackend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    const firstSeen = spyTools(firstBackend);
    const first = await firstBackend.apply(plan);
    expect(first.error).toBeUndefined();
    // Nothing known yet, and the guess that no chain exists holds: the restore creates them.
    expect(firstSeen.filter((c) => c.startsWith('iptables'))).toEqual(['iptables-restore -w --noflush']);
    // ip -batch, iptables-restore, dnsmasq (+ sysctl without the spawn agent).
    expect(first.processes).toBe(firstBackend.executor.ctx.spawnMode === 'agent' ? 3 : 4);
    expect(await dump()).toEqual(expected);
    expect(existsSync(cacheFile)).toBe(true);
    expect((await firstBackend.teardown('default')).ok).toBe(true);

    // A fresh backend (as each CLI call is) in the same namespace and run folder.
    const again = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    const seen = spyTools(again);
    const started = await again.apply(plan);
    expect(started.error).toBeUndefined();
    expect(seen.some((c) => c.startsWith('iptables-save'))).toBe(false);
    // ip -batch, iptables-restore, dnsmasq (+ sysctl without the spawn agent).
    expect(started.processes).toBe(again.executor.ctx.spawnMode === 'agent' ? 3 : 4);
    expect(await dump()).toEqual(expected);
    expect((await again.teardown('default')).ok).toBe(true);

    // Someone flushes and deletes every chain: the cache is stale.
    for (const table of ['filter', 'nat', 'mangle']) await sh('ip', ['netns', 'exec', ns, 'iptables', '-w', '-t', table, '-F']);
    for (const table of ['filter', 'nat', 'mangle']) await sh('ip', ['netns', 'exec', ns, 'iptables', '-w', '-t', table, '-X']);
    const third = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    const thirdSeen = spyTools(third);
    const repaired = await third.apply(plan);
    expect(repaired.error).toBeUndefined();
    expect(repaired.ok).toBe(true);
    // The restore from the cache failed, the chains were probed, the restore ran again.
    expect(thirdSeen.filter((c) => c.startsWith('iptables'))).toEqual(['iptables-restore -w --noflush', 'iptables-save', 'iptables-restore -w --noflush']);
    expect(await dump()).toEqual(expected);
    // And the cache is whole again for the next start.
    const fourth = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    expect((await third.teardown('default')).ok).toBe(true);
    const fourthSeen = spyTools(fourth);
    expect((await fourth.apply(plan)).error).toBeUndefined();
    expect(fourthSeen.filter((c) => c.startsWith('iptables'))).toEqual(['iptables-restore -w --noflush']);
    expect((await fourth.teardown('default')).ok).toBe(true);
  });

  it.concurrent('iptables: the cache of another namespace is not trusted', async () => {
    const ns = await createNamespace('fwh');
    const dirs = folders();
    const plan = compile(DEFAULT_XML, 'iptables', dirs);
    const backend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    expect((await backend.apply(plan)).error).toBeUndefined();
    expect((await backend.teardown('default')).ok).toBe(true);
    const cacheFile = join(dirs.runDir, 'netns', ns, 'iptables-chains.json');
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as { guard: { netns: string; bootId: string } };
    expect(cache.guard.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());

    // The same name, a new namespace: the cache's guard no longer holds.
    await sh('ip', ['netns', 'del', ns]);
    await sh('ip', ['netns', 'add', ns]);
    const fresh = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    const seen = spyTools(fresh);
    const started = await fresh.apply(plan);
    expect(started.error).toBeUndefined();
    // Either the guard caught it (then the guess: one restore creating the chains) or, had the
    // kernel reused the inode number, the failing restore did (restore, probe, restore): never a
    // start on a wrong belief.
    const restore = 'iptables-restore -w --noflush';
    expect([[restore], [restore, 'iptables-save', restore]]).toContainEqual(seen.filter((c) => c.startsWith('iptables')));
    await expectIptablesShowsOnly(ns, plan);
    expect((await fresh.teardown('default')).ok).toBe(true);
  });

  it.concurrent('iptables: a guess that fails in a later table undoes the rules of the tables it committed, then probes', async () => {
    const ns = await createNamespace('fwh');
    // Only the nat table has libvirt's chain (as after someone removed the filter ones).
    await sh('ip', ['netns', 'exec', ns, 'iptables', '-w', '-t', 'nat', '-N', 'LIBVIRT_PRT']);
    await sh('ip', ['netns', 'exec', ns, 'iptables', '-w', '-t', 'nat', '-I', 'POSTROUTING', '-j', 'LIBVIRT_PRT']);
    const dirs = folders();
    const plan = compile(DEFAULT_XML, 'iptables', dirs);
    const backend = new LinuxBackend({ netns: ns, runDir: dirs.runDir });
    const seen = spyTools(backend);
    const started = await backend.apply(plan);
    expect(started.error).toBeUndefined();
    // The filter block committed (chains, jumps, rules), the nat block's -N failed; the filter
    // rules were deleted again, then the dump and a restore against it.
    const restore = 'iptables-restore -w --noflush';
    expect(seen.filter((c) => c.startsWith('iptables'))).toEqual([restore, restore, 'iptables-save', restore]);
    await expectIptablesShowsOnly(ns, plan);
    expect((await backend.teardown('default')).ok).toBe(true);
  });

  it.concurrent('iptables: chains that exist without a cache (another run folder) fail the guess and are not flushed', async () => {
    const ns = await createNamespace('fwh');
    const first = folders();
    const firstPlan = compile(DEFAULT_XML, 'iptables', first);
    const owner = new LinuxBackend({ netns: ns, runDir: first.runDir });
    expect((await owner.apply(firstPlan)).error).toBeUndefined();

    // A second backend that knows nothing (its own run folder) starts another network.
    const second = folders();
    const secondPlan = compile(SECOND_XML, 'iptables', second);
    const stranger = new LinuxBackend({ netns: ns, runDir: second.runDir });
    const seen = spyTools(stranger);
    const started = await stranger.apply(secondPlan);
    expect(started.error).toBeUndefined();
    // The guess (`-N LIBVIRT_INP` first) failed and committed nothing; a probe, then the restore.
    const restore = 'iptables-restore -w --noflush';
    expect(seen.filter((c) => c.startsWith('iptables'))).toEqual([restore, 'iptables-save', restore]);
    // Both networks' rules are there, each once, and the jumps are not doubled.
    const dump = await iptablesDump(ns);
    const withBase = expectedIptablesSaveLines(rulesOf(firstPlan), 'ipv4', { includeBase: true });
    const secondOnly = expectedIptablesSaveLines(rulesOf(secondPlan), 'ipv4');
    for (const table of ['filter', 'nat', 'mangle'] as const) {
      const lines = [...(withBase[table] ?? []), ...(secondOnly[table] ?? [])];
      expect(lines.length).toBeGreaterThan(0);
      expect([...(dump.tables[table]?.rules ?? [])].sort()).toEqual(lines.sort());
    }
    expect((await stranger.teardown('second')).ok).toBe(true);
    expect((await owner.teardown('default')).ok).toBe(true);
  });
});
