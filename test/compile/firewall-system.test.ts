/**
 * The rendered inputs against the real tools, each inside a throwaway network namespace (never
 * the host's): `iptables-restore --test`, `ip6tables-restore --test` and `nft -c -f` for every
 * corpus network, then real applies: add, re-add (no change), a second network, removal; for nft
 * also against libvirt's own commands run in another namespace (the listings must be equal).
 * Skips visibly when not root or when a tool is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firewallRules } from '../../src/compile/firewall/build.js';
import { IPTABLES_RESTORE_ARGS, renderIptablesRestore } from '../../src/compile/firewall/iptables-restore.js';
import { expectedIptablesSaveLines, parseIptablesSave } from '../../src/compile/firewall/iptables-state.js';
import { libvirtBaseCommands, libvirtCommands } from '../../src/compile/firewall/libvirt-commands.js';
import { renderNftScript } from '../../src/compile/firewall/nft-script.js';
import { expectedNftForwardRules, expectedNftRules, parseNftListing } from '../../src/compile/firewall/nft-state.js';
import type { FirewallFamily, FirewallRules } from '../../src/compile/firewall/rules.js';
import { defineNetwork } from '../../src/model/index.js';
import { firewallCorpusNames, firewallCorpusNetwork } from './firewall-corpus.js';

/** Real libvirtd 9.0 host state, in the shared reference folder beside the repository. */
const CAPTURES = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'libvirtd-9.0-captures');

const TOOLS = ['/usr/sbin/ip', '/usr/sbin/iptables-restore', '/usr/sbin/ip6tables-restore', '/usr/sbin/iptables-save', '/usr/sbin/ip6tables-save', '/usr/sbin/nft'];

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const missing = TOOLS.filter((t) => !existsSync(t));
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

const skip = skipReason();
if (skip !== undefined) console.warn(`[firewall-system] SKIPPED: ${skip}`);

/** Run a command (argument array, no shell); return status and output. */
function run(cmd: string, args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run a command inside a namespace and require success. */
function inNs(ns: string, cmd: string, args: readonly string[], input?: string): string {
  const r = run('ip', ['netns', 'exec', ns, cmd, ...args], input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr}${input ? `\ninput:\n${input}` : ''}`);
  return r.stdout;
}

const namespaces: string[] = [];
let seq = 0;

/** A fresh namespace `vnt-fwtest-<pid>-<n>` with the given bridges (nft's `iif` needs them). */
function namespace(bridges: readonly string[]): string {
  const ns = `vnt-fwtest-${process.pid}-${seq++}`;
  const r = run('ip', ['netns', 'add', ns]);
  if (r.code !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`);
  namespaces.push(ns);
  for (const b of bridges) {
    const l = run('ip', ['-n', ns, 'link', 'add', b, 'type', 'bridge']);
    if (l.code !== 0) throw new Error(`bridge ${b}: ${l.stderr}`);
  }
  return ns;
}

function removeNamespaces(): void {
  for (const ns of namespaces.splice(0)) run('ip', ['netns', 'del', ns]);
}

afterAll(removeNamespaces);

const save = (family: FirewallFamily) => (family === 'ipv4' ? 'iptables-save' : 'ip6tables-save');
const restore = (family: FirewallFamily) => (family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore');

/** Apply one family's iptables-restore input computed against the namespace's current dump. */
function applyIptables(ns: string, rules: FirewallRules, family: FirewallFamily, mode: 'add' | 'remove'): string {
  const input = renderIptablesRestore(rules, family, mode, parseIptablesSave(inNs(ns, save(family), [])));
  if (input !== '') inNs(ns, restore(family), [...IPTABLES_RESTORE_ARGS], input);
  return input;
}

const dumpRules = (ns: string, family: FirewallFamily) => {
  const tables = parseIptablesSave(inNs(ns, save(family), [])).tables;
  return Object.fromEntries(Object.entries(tables).map(([t, s]) => [t, s.rules]));
};

/** `nft -a list ruleset` of a namespace, parsed. */
const nftListing = (ns: string) => parseNftListing(inNs(ns, 'nft', ['-a', 'list', 'ruleset']));

/** The rule texts of each chain of libvirt's tables (handles dropped), for comparing hosts. */
const nftTexts = (ns: string) =>
  Object.fromEntries(
    Object.entries(nftListing(ns).tables).map(([t, s]) => [t, Object.fromEntries(Object.entries(s.chains).map(([c, rules]) => [c, rules.map((r) => r.text)]))]),
  );

/** Render against the namespace's listing (`read`, as for removal) or blind (as the backend adds), and apply. */
function applyNft(ns: string, rules: FirewallRules, mode: 'add' | 'remove', read = true): string {
  const script = mode === 'remove' ? renderNftScript(rules, 'remove', nftListing(ns)) : renderNftScript(rules, 'add', read ? nftListing(ns) : undefined);
  if (script !== '') inNs(ns, 'nft', ['-f', '-'], script);
  return script;
}

describe.skipIf(skip !== undefined)('rendered inputs pass the tools\' checks', () => {
  let ns = '';
  beforeAll(() => {
    ns = namespace(['virbr0']);
  });

  it.each(firewallCorpusNames.map((n) => [n]))('%s: iptables-restore --test, ip6tables-restore --test, nft -c', (name) => {
    const fw = firewallRules(firewallCorpusNetwork(name)!, { bridge: 'virbr0' });
    for (const family of ['ipv4', 'ipv6'] as const) {
      // Against an empty dump: the input declares the chains and jumps as well as the rules.
      const add = renderIptablesRestore(fw, family, 'add', parseIptablesSave(''));
      expect(add).toContain('COMMIT');
      inNs(ns, restore(family), ['--test', ...IPTABLES_RESTORE_ARGS], add);
    }
    // nft: the add script passes the check, then really: re-add finds nothing to do, and the
    // removal (checked, then applied) leaves libvirt's chains without a rule of the network.
    const add = renderNftScript(fw, 'add');
    inNs(ns, 'nft', ['-c', '-f', '-'], add);
    inNs(ns, 'nft', ['-f', '-'], add);
    expect(renderNftScript(fw, 'add', nftListing(ns))).toBe('');
    const remove = renderNftScript(fw, 'remove', nftListing(ns));
    expect(remove).toMatch(/^delete rule ip6? libvirt_network guest_\w+ handle \d+$/m);
    inNs(ns, 'nft', ['-c', '-f', '-'], remove);
    inNs(ns, 'nft', ['-f', '-'], remove);
    for (const [table, chains] of Object.entries(nftTexts(ns))) {
      for (const [chain, lines] of Object.entries(chains)) expect(lines, `${table} ${chain}`).toEqual(chain === 'forward' ? expectedNftForwardRules() : []);
    }
  });

  // Accepted names that look like nft keywords, numbers or addresses still parse as one token.
  it.each([['dup'], ['ip'], ['0'], ['.x'], ['x-1.2.3.4'], ['a_b-c.d'], ['123456789012345']])('odd but valid bridge name %j', (bridge) => {
    const odd = namespace([bridge]);
    const fw = firewallRules(
      defineNetwork({
        name: 'odd',
        forward: { mode: 'nat', interfaces: [{ dev: bridge === 'dup' ? 'counter' : bridge }], nat: { ipv6: true } },
        ips: [{ address: '10.9.0.1', prefix: 24, dhcp: { ranges: [{ start: '10.9.0.2', end: '10.9.0.3' }] } }, { family: 'ipv6', address: 'fd00::1', prefix: 64 }],
      }),
      { bridge },
    );
    for (const family of ['ipv4', 'ipv6'] as const) inNs(odd, restore(family), ['--test', ...IPTABLES_RESTORE_ARGS], renderIptablesRestore(fw, family, 'add', parseIptablesSave('')));
    applyNft(odd, fw, 'add', false);
    expect(nftTexts(odd)['ip libvirt_network']!['guest_cross']).toEqual([`iif "${bridge}" oif "${bridge}" counter accept`]);
    applyNft(odd, fw, 'remove');
    expect(nftTexts(odd)['ip libvirt_network']!['guest_cross']).toEqual([]);
  });

  it('a broken input is caught (the checks can fail)', () => {
    const r = run('ip', ['netns', 'exec', ns, 'nft', '-c', '-f', '-'], 'add rule ip libvirt_network guest_nat ip saddr 1.2.3.4/99 accept\n');
    expect(r.code).not.toBe(0);
    const i = run('ip', ['netns', 'exec', ns, 'iptables-restore', '--test', '--noflush'], '*filter\n-I INPUT -p tcp --dport abc -j ACCEPT\nCOMMIT\n');
    expect(i.code).not.toBe(0);
  });
});

/** The network libvirtd 9.0 ran for the `nat-dhcp-dns` capture. */
const captureNetwork = () =>
  defineNetwork({
    name: 'probe-nat',
    forward: { mode: 'nat' },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: [{ mac: '52:54:00:aa:bb:01', name: 'guest1', ip: '192.168.122.50' }] },
      },
      { family: 'ipv6', address: '2001:db8:122::1', prefix: 64 },
    ],
  });

const otherNetwork = () =>
  defineNetwork({
    name: 'other',
    forward: { mode: 'route', interfaces: [{ dev: 'eth9' }] },
    ips: [{ address: '10.7.0.1', prefix: 16, dhcp: { ranges: [{ start: '10.7.0.2', end: '10.7.0.9' }] } }],
  });

describe.skipIf(skip !== undefined)('real apply with iptables-restore', () => {
  it('add = libvirtd\'s rules, re-add = no change, coexists with another network, remove = only the global chains', () => {
    const ns = namespace([]);
    const a = firewallRules(captureNetwork(), { bridge: 'virbr-test' });
    const b = firewallRules(otherNetwork(), { bridge: 'virbr7' });
    for (const family of ['ipv4', 'ipv6'] as const) {
      const empty = dumpRules(ns, family);
      applyIptables(ns, a, family, 'add');
      const afterAdd = dumpRules(ns, family);
      // The whole dump equals what libvirtd 9.0 left for this network (see libvirtd-9.0-captures/nat-dhcp-dns).
      const expected = expectedIptablesSaveLines(a, family, { includeBase: true });
      for (const table of ['filter', 'nat', 'mangle'] as const) expect(afterAdd[table], `${family} ${table}`).toEqual(expected[table] ?? []);
      const capture = join(CAPTURES, 'nat-dhcp-dns', family === 'ipv4' ? 'iptables-save.txt' : 'ip6tables-save.txt');
      if (existsSync(capture)) {
        const libvirtd = parseIptablesSave(readFileSync(capture, 'utf8')).tables;
        for (const table of ['filter', 'nat', 'mangle'] as const) expect(afterAdd[table], `capture ${family} ${table}`).toEqual(libvirtd[table]?.rules);
      } else console.warn(`[firewall-system] capture comparison SKIPPED: ${capture} not found`);

      expect(applyIptables(ns, a, family, 'add')).toBe('');
      expect(dumpRules(ns, family)).toEqual(afterAdd);

      applyIptables(ns, b, family, 'add');
      applyIptables(ns, a, family, 'remove');
      const onlyB = expectedIptablesSaveLines(b, family, { includeBase: true });
      for (const table of ['filter', 'nat', 'mangle'] as const) expect(dumpRules(ns, family)[table], `${family} ${table} after removing a`).toEqual(onlyB[table] ?? []);
      applyIptables(ns, b, family, 'remove');
      const base = expectedIptablesSaveLines({ ...a, rules: a.rules.slice(0, 1) }, family, { includeBase: true });
      const left = dumpRules(ns, family);
      for (const table of ['filter', 'nat', 'mangle'] as const) {
        expect(left[table], `${family} ${table} after removing both`).toEqual((base[table] ?? []).filter((l) => !l.startsWith('-A LIBVIRT_')));
      }
      expect(Object.keys(empty)).toEqual([]);
      // Removing again finds nothing to delete.
      expect(applyIptables(ns, a, family, 'remove')).toBe('');
    }
  });

  it('repairs a half-applied network in one transaction', () => {
    const ns = namespace([]);
    const a = firewallRules(captureNetwork(), { bridge: 'virbr-test' });
    applyIptables(ns, a, 'ipv4', 'add');
    const good = dumpRules(ns, 'ipv4');
    inNs(ns, 'iptables', ['-w', '-t', 'filter', '-D', 'LIBVIRT_FWX', '-i', 'virbr-test', '-o', 'virbr-test', '-j', 'ACCEPT']);
    inNs(ns, 'iptables', ['-w', '-t', 'nat', '-D', 'LIBVIRT_PRT', '1']);
    expect(dumpRules(ns, 'ipv4')).not.toEqual(good);
    applyIptables(ns, a, 'ipv4', 'add');
    expect(dumpRules(ns, 'ipv4')).toEqual(good);
  });
});

describe.skipIf(skip !== undefined)('real apply with nft -f', () => {
  /** What a listing shows in each chain of `table` for these networks, newest first. */
  function expectChains(ns: string, networks: readonly FirewallRules[]): void {
    const texts = nftTexts(ns);
    for (const table of ['ip libvirt_network', 'ip6 libvirt_network']) {
      expect(texts[table]?.['forward'], `${table} forward`).toEqual(expectedNftForwardRules());
      for (const chain of ['guest_output', 'guest_input', 'guest_cross', 'guest_nat']) {
        const expected = networks.flatMap((n) => expectedNftRules(n).find((f) => f.table === table)?.chains[chain] ?? []);
        expect(texts[table]?.[chain], `${table} ${chain}`).toEqual(expected);
      }
    }
  }

  /** Run libvirt's own commands (argument arrays, as libvirtd runs them) for a network; its global set-up on the first. */
  function libvirtd(ns: string, network: FirewallRules, first: boolean): void {
    // `list table` is libvirt's probe (it fails on an empty host, and libvirt goes on).
    if (first) for (const c of libvirtBaseCommands('nftables')) if (c.args[0] !== 'list') inNs(ns, 'nft', c.args);
    for (const c of libvirtCommands(network, 'nftables')) if (c.binary === 'nft') inNs(ns, 'nft', c.args);
  }

  it('add = libvirt\'s listing, re-add = nothing, a second network, remove one leaves the other, remove all = base only', () => {
    const ns = namespace(['virbr-test', 'virbr7']);
    const a = firewallRules(captureNetwork(), { bridge: 'virbr-test' });
    const b = firewallRules(otherNetwork(), { bridge: 'virbr7' });
    const reference = namespace(['virbr-test', 'virbr7']);

    applyNft(ns, a, 'add', false);
    expectChains(ns, [a]);
    libvirtd(reference, a, true);
    expect(nftTexts(ns)).toEqual(nftTexts(reference));
    const once = nftTexts(ns);
    expect(applyNft(ns, a, 'add')).toBe('');
    expect(nftTexts(ns)).toEqual(once);

    applyNft(ns, b, 'add');
    expectChains(ns, [b, a]);
    libvirtd(reference, b, false);
    expect(nftTexts(ns)).toEqual(nftTexts(reference));

    expect(applyNft(ns, a, 'remove')).not.toBe('');
    expectChains(ns, [b]);
    applyNft(ns, b, 'remove');
    expect(applyNft(ns, b, 'remove')).toBe('');
    expectChains(ns, []);
  });

  it('repairs a half-applied network in one transaction', () => {
    const ns = namespace(['virbr-test']);
    const a = firewallRules(captureNetwork(), { bridge: 'virbr-test' });
    applyNft(ns, a, 'add');
    const good = nftTexts(ns);
    const nat = nftListing(ns).tables['ip libvirt_network']!.chains['guest_nat']!;
    inNs(ns, 'nft', ['delete', 'rule', 'ip', 'libvirt_network', 'guest_nat', 'handle', String(nat[1]!.handle)]);
    expect(nftTexts(ns)).not.toEqual(good);
    const repair = applyNft(ns, a, 'add');
    expect(repair.split('\n').filter((l) => l.startsWith('delete rule'))).toHaveLength(nat.length - 1);
    expect(nftTexts(ns)).toEqual(good);
  });

  it('two subnets of one network, one inside the other: both sets of rules, removed together', () => {
    const ns = namespace(['virbr5']);
    const fw = firewallRules(
      defineNetwork({ name: 'nested', forward: { mode: 'nat' }, ips: [{ address: '10.5.1.1', prefix: 24 }, { address: '10.5.0.1', prefix: 16 }] }),
      { bridge: 'virbr5' },
    );
    applyNft(ns, fw, 'add', false);
    expectChains(ns, [fw]);
    applyNft(ns, fw, 'remove');
    expectChains(ns, []);
  });
});

describe.skipIf(skip !== undefined || !existsSync('/usr/bin/busybox'))('traffic through the rules (busybox ping)', () => {
  /** host with bridge virbr9 (STP off) + guest 192.168.150.10 + outside 198.51.100.2 without a route back. */
  function topology(): { host: string; guest: string; outside: string } {
    const host = namespace([]);
    const guest = namespace([]);
    const outside = namespace([]);
    const ipb = (ns: string, lines: string[]) => inNs(ns, 'ip', ['-batch', '-'], `${lines.join('\n')}\n`);
    ipb(host, [
      'link set lo up',
      'link add virbr9 type bridge stp_state 0 forward_delay 0',
      'address add 192.168.150.1/24 dev virbr9',
      'link set virbr9 up',
      `link add vnet0 type veth peer name eth0 netns ${guest}`,
      'link set vnet0 master virbr9',
      'link set vnet0 up',
      `link add out0 type veth peer name eth0 netns ${outside}`,
      'address add 198.51.100.1/24 dev out0',
      'link set out0 up',
    ]);
    ipb(guest, ['link set lo up', 'address add 192.168.150.10/24 dev eth0', 'link set eth0 up', 'route add default via 192.168.150.1']);
    ipb(outside, ['link set lo up', 'address add 198.51.100.2/24 dev eth0', 'link set eth0 up']);
    inNs(host, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    return { host, guest, outside };
  }
  const ping = (from: string, to: string) => run('ip', ['netns', 'exec', from, '/usr/bin/busybox', 'ping', '-c', '1', '-W', '1', to]).code === 0;
  const fw = () =>
    firewallRules(defineNetwork({ name: 'traffic', forward: { mode: 'nat' }, ips: [{ address: '192.168.150.1', prefix: 24 }] }), { bridge: 'virbr9' });

  it('nft: the guest reaches the outside only masqueraded; the outside cannot reach in', () => {
    const t = topology();
    expect(ping(t.guest, '198.51.100.2')).toBe(false); // no NAT, no route back
    applyNft(t.host, fw(), 'add', false);
    expect(ping(t.guest, '198.51.100.2')).toBe(true);
    // The reply could only come back because the catch-all masquerade rule rewrote the source.
    expect(inNs(t.host, 'nft', ['list', 'chain', 'ip', 'libvirt_network', 'guest_nat'])).toMatch(/counter packets [1-9]\d* bytes \d+ masquerade\n/);
    inNs(t.outside, 'ip', ['route', 'add', '192.168.150.0/24', 'via', '198.51.100.1']);
    expect(ping(t.outside, '192.168.150.10')).toBe(false); // rejected by guest_input
    applyNft(t.host, fw(), 'remove');
    expect(ping(t.outside, '192.168.150.10')).toBe(true); // nothing filters any more
  });

  it('iptables: the same', () => {
    const t = topology();
    for (const family of ['ipv4', 'ipv6'] as const) applyIptables(t.host, fw(), family, 'add');
    expect(ping(t.guest, '198.51.100.2')).toBe(true);
    inNs(t.outside, 'ip', ['route', 'add', '192.168.150.0/24', 'via', '198.51.100.1']);
    expect(ping(t.outside, '192.168.150.10')).toBe(false);
    for (const family of ['ipv4', 'ipv6'] as const) applyIptables(t.host, fw(), family, 'remove');
    expect(ping(t.outside, '192.168.150.10')).toBe(true);
  });
});
