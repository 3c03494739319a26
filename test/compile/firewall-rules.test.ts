/**
 * The rule model: which networks get which rules, the NAT variants, the errors, and the
 * iptables-save / nft renderings of single rules.
 */
import { describe, expect, it } from 'vitest';
import { firewallRules } from '../../src/compile/firewall/build.js';
import { CompileError } from '../../src/compile/errors.js';
import { expectedIptablesSaveLines, parseIptablesSave } from '../../src/compile/firewall/iptables-state.js';
import { iptablesRestoreBlocks, renderIptablesRestore } from '../../src/compile/firewall/iptables-restore.js';
import { hasTcRootQdisc, iptablesRuleArgs, libvirtCommands, renderLibvirtCommands, tcChecksumCommands } from '../../src/compile/firewall/libvirt-commands.js';
import { expectedNftRules, parseNftListing } from '../../src/compile/firewall/nft-state.js';
import { renderNftScript } from '../../src/compile/firewall/nft-script.js';
import { firewallBase } from '../../src/compile/firewall/base.js';
import { libvirtRemovalRecipe } from '../../src/compile/firewall/removal-recipe.js';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { firewallCorpusNetwork } from './firewall-corpus.js';

const net = (init: Partial<NetworkInit>) =>
  defineNetwork({ name: 'n', ips: [{ address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }] } }], ...init });

function errorOf(f: () => unknown): CompileError {
  try {
    f();
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('firewallRules', () => {
  it.each(['open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'] as const)('mode %s gets no rules and no tc filter', (mode) => {
    const fw = firewallRules(net({ forward: { mode } }), { bridge: 'virbr0' });
    expect(fw).toEqual({ bridge: 'virbr0', rules: [] });
    expect(renderIptablesRestore(fw, 'ipv4', 'add', parseIptablesSave(''))).toBe('');
    expect(renderNftScript(fw, 'add')).toBe('');
    expect(expectedIptablesSaveLines(fw, 'ipv4', { includeBase: true })).toEqual({});
  });

  it('isolated: general rules only, with the checksum fix for DHCP', () => {
    const fw = firewallRules(net({}), { bridge: 'virbr0' });
    expect(fw.rules.map((r) => `${r.family} ${r.table} ${r.chain} ${r.action.kind}`)).toEqual([
      ...Array(8).fill('ipv4 filter').map((p, i) => `${p} ${['INP', 'INP', 'OUT', 'OUT', 'INP', 'INP', 'OUT', 'OUT'][i]} ACCEPT`),
      'ipv4 filter FWO REJECT',
      'ipv4 filter FWI REJECT',
      'ipv4 filter FWX ACCEPT',
      'ipv4 mangle PRT CHECKSUM',
    ]);
    expect(fw.rules.at(-1)?.ignoreErrors).toBe(true);
    expect(fw.tcChecksum).toEqual({ dev: 'virbr0', port: 68 });
  });

  it('no checksum rule without DHCP, but the tc filter stays (libvirt adds it unconditionally)', () => {
    const fw = firewallRules(net({ forward: { mode: 'nat' }, ips: [{ address: '10.0.0.1', prefix: 24 }] }), { bridge: 'br' });
    expect(fw.rules.some((r) => r.action.kind === 'CHECKSUM')).toBe(false);
    expect(renderLibvirtCommands(fw, 'nftables')).toContain('tc \\\nfilter \\\nadd');
  });

  it("ipv6='yes' without an IPv6 address: IPv6 forward rules but no IPv6 DNS/DHCP rules", () => {
    const fw = firewallRules(net({ ipv6: true }), { bridge: 'virbr0' });
    const v6 = fw.rules.filter((r) => r.family === 'ipv6');
    expect(v6.map((r) => `${r.chain} ${r.action.kind}`)).toEqual(['FWO REJECT', 'FWI REJECT', 'FWX ACCEPT']);
  });

  it('SNAT to <nat><address> for IPv4; IPv6 with ipv6=yes still masquerades', () => {
    const fw = firewallRules(
      net({
        forward: { mode: 'nat', nat: { ipv6: true, address: { start: '203.0.113.5', end: '203.0.113.9' }, port: { start: 2000, end: 3000 } } },
        ips: [{ address: '192.168.122.1', prefix: 24 }, { family: 'ipv6', address: '2001:db8::1', prefix: 64 }],
      }),
      { bridge: 'virbr0' },
    );
    const nat = fw.rules.filter((r) => r.table === 'nat');
    expect(nat.filter((r) => r.family === 'ipv4').map((r) => r.action)).toEqual([
      { kind: 'SNAT', from: '203.0.113.5', to: '203.0.113.9' },
      { kind: 'SNAT', from: '203.0.113.5', to: '203.0.113.9', toPorts: { start: 2000, end: 3000 } },
      { kind: 'SNAT', from: '203.0.113.5', to: '203.0.113.9', toPorts: { start: 2000, end: 3000 } },
      { kind: 'RETURN' },
      { kind: 'RETURN' },
    ]);
    expect(nat.filter((r) => r.family === 'ipv6').map((r) => r.action.kind)).toEqual(['MASQUERADE', 'MASQUERADE', 'MASQUERADE', 'RETURN']);
    expect(iptablesRuleArgs(nat[1]!, '--insert').slice(-4)).toEqual(['--jump', 'SNAT', '--to-source', '203.0.113.5-203.0.113.9:2000-3000']);
    expect(renderNftScript(fw, 'add')).toContain(
      'meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat to 203.0.113.5-203.0.113.9:2000-3000',
    );
  });

  it('route mode: routing set for every <ip>, no NAT rules', () => {
    const fw = firewallRules(firewallCorpusNetwork('route-default')!, { bridge: 'virbr0' });
    expect(fw.rules.filter((r) => r.table === 'nat')).toEqual([]);
    expect(expectedIptablesSaveLines(fw, 'ipv4').filter).toContain('-A LIBVIRT_FWI -d 192.168.122.0/24 -o virbr0 -j ACCEPT');
  });

  it('refuses an invalid NAT port range with libvirt\'s message', () => {
    const e = errorOf(() => firewallRules(net({ forward: { mode: 'nat', nat: { port: { start: 2000, end: 1000 } } } }), { bridge: 'virbr0' }));
    expect([e.code, e.path, e.message]).toEqual(['firewall.nat-port-range', '/network/forward/nat/port', "Invalid port range '2000-1000'."]);
  });

  it('refuses an <ip> without a usable prefix', () => {
    const e = errorOf(() => firewallRules(net({ forward: { mode: 'nat' }, ips: [{ address: '10.0.0.1' }, { address: '224.0.0.1' }] }), { bridge: 'virbr0' }));
    expect([e.code, e.path, e.message]).toEqual(['firewall.invalid-prefix', '/network/ip[2]', "Invalid prefix or netmask for 'virbr0'"]);
  });

  it.each([
    ['', 'empty'],
    ['a-very-long-name16', 'longer than 15 bytes'],
    ['eth0 ', 'only letters'],
    ['eth+', 'only letters'],
    ['e"th', 'only letters'],
    ['-eth0', 'may not start'],
    ['..', 'may not be'],
  ])('refuses bridge %j', (bridge, why) => {
    const e = errorOf(() => firewallRules(net({}), { bridge }));
    expect(e.code).toBe('firewall.interface-name');
    expect(e.path).toBe('options.bridge');
    expect(e.message).toContain(why);
  });

  it('refuses a bad forward dev with its document path', () => {
    const e = errorOf(() => firewallRules(net({ forward: { mode: 'nat', interfaces: [{ dev: 'eth0;reboot' }] } }), { bridge: 'virbr0' }));
    expect([e.code, e.path]).toEqual(['firewall.interface-name', '/network/forward/@dev']);
  });

  it('is plain JSON data', () => {
    const fw = firewallRules(firewallCorpusNetwork('nat-port-range')!, { bridge: 'virbr0' });
    expect(JSON.parse(JSON.stringify(fw))).toEqual(fw);
  });
});

describe('the invariant removal by rule text relies on (every rule names its network\'s bridge or subnet)', () => {
  it.each(['nat-default', 'nat-ipv6-masquerade', 'forward-dev', 'isolated', 'nat-port-range', 'route-default'])('%s', (name) => {
    const fw = firewallRules(firewallCorpusNetwork(name)!, { bridge: 'virbr0' });
    const has = (r: (typeof fw.rules)[number], kind: string) => r.matches.some((m) => m.kind === kind && 'role' in m && m.role === 'bridge' && m.name === 'virbr0');
    for (const r of fw.rules) {
      // guest_output rules match iif BR, guest_input oif BR, guest_cross both, guest_nat saddr of a subnet.
      if (r.table === 'filter' && r.chain === 'FWO') expect(has(r, 'in-interface')).toBe(true);
      if (r.table === 'filter' && r.chain === 'FWI') expect(has(r, 'out-interface')).toBe(true);
      if (r.table === 'filter' && r.chain === 'FWX') expect(has(r, 'in-interface') && has(r, 'out-interface')).toBe(true);
      if (r.table === 'nat') expect(r.matches.some((m) => m.kind === 'source' && !m.negate)).toBe(true);
    }
  });
});

describe('libvirtRemovalRecipe', () => {
  const fw = firewallRules(firewallCorpusNetwork('nat-default')!, { bridge: 'virbr0' });

  it('iptables: the CHECKSUM group first, each group reversed, --insert as --delete without -w', () => {
    const recipe = libvirtRemovalRecipe(fw, 'iptables');
    expect(recipe.map((g) => g.actions.length)).toEqual([1, 18]);
    expect(recipe[0]!.actions[0]!.args).toEqual(['--table', 'mangle', '--delete', 'LIBVIRT_PRT', '--out-interface', 'virbr0', '--protocol', 'udp', '--destination-port', '68', '--jump', 'CHECKSUM', '--checksum-fill']);
    expect(recipe[1]!.actions[0]!.args.join(' ')).toBe('--table nat --delete LIBVIRT_PRT --source 192.168.122.0/24 --destination 224.0.0.0/24 --jump RETURN');
    expect(recipe[1]!.actions.at(-1)!.args.join(' ')).toBe('--table filter --delete LIBVIRT_INP --in-interface virbr0 --protocol tcp --destination-port 67 --jump ACCEPT');
    expect(recipe.every((g) => g.ignoreErrors)).toBe(true);
  });

  it('nftables: delete by handle in reverse, then the tc filter', () => {
    const handles = Array.from({ length: 10 }, (_, i) => 100 + i);
    const [group] = libvirtRemovalRecipe(fw, 'nftables', handles);
    expect(group!.actions.length).toBe(11);
    expect(group!.actions[0]).toEqual({ layer: 'ipv4', args: ['delete', 'rule', 'ip', 'libvirt_network', 'guest_nat', 'handle', '109'] });
    expect(group!.actions.at(-1)!.args.slice(0, 4)).toEqual(['filter', 'del', 'dev', 'virbr0']);
    expect(() => libvirtRemovalRecipe(fw, 'nftables', handles.slice(1))).toThrow(RangeError);
  });
});

describe('tc checksum fix', () => {
  it('detects the root qdisc as libvirt does', () => {
    expect(hasTcRootQdisc('')).toBe(false);
    expect(hasTcRootQdisc('qdisc htb 1: root refcnt 2 r2q 10 default 0x2 direct_packets_stat 0 direct_qlen 1000\n')).toBe(true);
    expect(hasTcRootQdisc('qdisc noqueue 0: root refcnt 2\n')).toBe(false);
  });

  it('deletes the filter with the arguments it added', () => {
    const tc = tcChecksumCommands('virbr0', 68);
    expect(tc.delFilter.slice(2)).toEqual(tc.addFilter.slice(2));
    expect(tc.addFilter.join(' ')).toBe('filter add dev virbr0 prio 2 protocol ip parent 1: u32 match ip dport 68 ffff action csum ip and udp');
  });
});

describe('firewallBase', () => {
  it('lists libvirt\'s private chains', () => {
    const ipt = firewallBase('iptables');
    expect(ipt.backend === 'iptables' && ipt.chains.map((c) => `${c.table}:${c.parent}>${c.chain}`)).toEqual([
      'filter:INPUT>LIBVIRT_INP',
      'filter:OUTPUT>LIBVIRT_OUT',
      'filter:FORWARD>LIBVIRT_FWO',
      'filter:FORWARD>LIBVIRT_FWI',
      'filter:FORWARD>LIBVIRT_FWX',
      'nat:POSTROUTING>LIBVIRT_PRT',
      'mangle:POSTROUTING>LIBVIRT_PRT',
    ]);
    const nft = firewallBase('nftables');
    expect(nft.backend === 'nftables' && nft.chains.map((c) => c.name)).toEqual(['forward', 'guest_output', 'guest_input', 'guest_cross', 'guest_nat']);
  });
});

describe('expected iptables-save lines', () => {
  // The captures sit beside the repository, in the shared reference folder.
  const captures = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'libvirtd-9.0-captures');
  const captured = (dir: string, file: string) => {
    try {
      return readFileSync(`${captures}/${dir}/${file}`, 'utf8');
    } catch {
      return undefined;
    }
  };

  it.each([
    ['nat-dhcp-dns', 'virbr-test', net({
      forward: { mode: 'nat' },
      ips: [
        { address: '192.168.122.1', netmask: '255.255.255.0', dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: [{ mac: '52:54:00:aa:bb:01', name: 'guest1', ip: '192.168.122.50' }] } },
        { family: 'ipv6', address: '2001:db8:122::1', prefix: 64 },
      ],
    })],
    ['minimal', 'virbr0', net({ forward: { mode: 'nat' }, ips: [{ address: '10.0.5.1', netmask: '255.255.255.0' }] })],
  ] as const)('equal libvirtd 9.0\'s dump for capture %s', (dir, bridge, network) => {
    const v4 = captured(dir, 'iptables-save.txt');
    const v6 = captured(dir, 'ip6tables-save.txt');
    if (v4 === undefined || v6 === undefined) {
      console.warn(`SKIPPED: capture ${dir} not found under ${captures}`);
      return;
    }
    const fw = firewallRules(network, { bridge });
    for (const [family, text] of [['ipv4', v4], ['ipv6', v6]] as const) {
      const dump = parseIptablesSave(text);
      const expected = expectedIptablesSaveLines(fw, family, { includeBase: true });
      for (const table of ['filter', 'nat', 'mangle'] as const) expect(dump.tables[table]?.rules ?? [], `${family} ${table}`).toEqual(expected[table] ?? []);
    }
  });
});

describe('parseNftListing', () => {
  it('reads chains, counters and handles; skips sets and maps, also multi-line ones', () => {
    const listing = parseNftListing(
      [
        'table ip libvirt_network { # handle 7',
        '\tmap other { # handle 3',
        '\t\ttype ipv4_addr : verdict',
        '\t\tflags interval',
        '\t\telements = { 10.0.0.0/24 : jump a,',
        '\t\t\t     10.0.1.0/24 : jump b }',
        '\t}',
        '\tchain guest_nat { # handle 5',
        '\t\ttype nat hook postrouting priority srcnat; policy accept;',
        '\t\tip saddr 10.0.0.0/24 ip daddr { 1.1.1.1, 2.2.2.2 } counter packets 0 bytes 0 return # handle 12',
        '\t\tip saddr 10.0.0.0/24 counter packets 3 bytes 180 masquerade # handle 11',
        '\t}',
        '}',
        'table ip6 libvirt_network {',
        '\tchain forward {',
        '\t\tcounter packets 0 bytes 0 jump guest_cross',
        '\t}',
        '}',
      ].join('\n'),
    );
    expect(listing.tables).toEqual({
      'ip libvirt_network': {
        chains: {
          guest_nat: [
            { text: 'ip saddr 10.0.0.0/24 ip daddr { 1.1.1.1, 2.2.2.2 } counter return', handle: 12 },
            { text: 'ip saddr 10.0.0.0/24 counter masquerade', handle: 11 },
          ],
        },
      },
      'ip6 libvirt_network': { chains: { forward: [{ text: 'counter jump guest_cross' }] } },
    });
  });

  it('expected rules use the listed forms, in libvirt\'s chains', () => {
    const fw = firewallRules(firewallCorpusNetwork('nat-ipv6-masquerade')!, { bridge: 'virbr0' });
    const [ip, ip6] = expectedNftRules(fw);
    expect(ip?.chains['guest_nat']?.slice(0, 2)).toEqual([
      'ip saddr 192.168.122.0/24 ip daddr 224.0.0.0/24 counter return',
      'ip saddr 192.168.122.0/24 ip daddr 255.255.255.255 counter return',
    ]);
    expect(ip?.chains['guest_input']?.[0]).toBe('oif "virbr0" ip daddr 192.168.122.0/24 ct state established,related counter accept');
    expect(ip6?.table).toBe('ip6 libvirt_network');
    expect(Object.keys(ip6?.chains ?? {}).sort()).toEqual(['guest_cross', 'guest_input', 'guest_nat', 'guest_output']);
  });
});

describe('renderNftScript', () => {
  const fw = firewallRules(net({ forward: { mode: 'nat' } }), { bridge: 'virbr0' });
  /** A listing as nft -a would print it after the add script, with handles 100, 101, … */
  const listingAfterAdd = () => {
    let handle = 100;
    const lines: string[] = [];
    for (const fam of ['ip', 'ip6']) {
      const own = expectedNftRules(fw).find((f) => f.table === `${fam} libvirt_network`);
      lines.push(`table ${fam} libvirt_network {`, '\tchain forward {', '\t\ttype filter hook forward priority filter; policy accept;');
      for (const c of ['guest_cross', 'guest_input', 'guest_output']) lines.push(`\t\tcounter packets 0 bytes 0 jump ${c} # handle ${handle++}`);
      lines.push('\t}');
      for (const chain of ['guest_output', 'guest_input', 'guest_cross', 'guest_nat']) {
        lines.push(`\tchain ${chain} {`);
        for (const r of own?.chains[chain] ?? []) lines.push(`\t\t${r.replace('counter', 'counter packets 1 bytes 2')} # handle ${handle++}`);
        lines.push('\t}');
      }
      lines.push('}');
    }
    return parseNftListing(lines.join('\n'));
  };

  it('add: libvirt\'s table, base chains and jumps in both families, then the rules inserted', () => {
    const script = renderNftScript(fw, 'add').split('\n');
    expect(script.slice(0, 10)).toEqual([
      'add table ip libvirt_network',
      'add chain ip libvirt_network forward { type filter hook forward priority 0; policy accept; }',
      'add chain ip libvirt_network guest_output',
      'add chain ip libvirt_network guest_input',
      'add chain ip libvirt_network guest_cross',
      'add chain ip libvirt_network guest_nat { type nat hook postrouting priority 100; policy accept; }',
      'flush chain ip libvirt_network forward',
      'insert rule ip libvirt_network forward counter jump guest_output',
      'insert rule ip libvirt_network forward counter jump guest_input',
      'insert rule ip libvirt_network forward counter jump guest_cross',
    ]);
    expect(script).toContain('add table ip6 libvirt_network');
    // Each rule libvirt inserts, with the same text (libvirt's argv, names quoted).
    const inserted = script.filter((l) => l.startsWith('insert rule ip libvirt_network guest_'));
    const libvirt = libvirtCommands(fw, 'nftables').filter((c) => c.binary === 'nft' && c.args[3] === 'ip');
    expect(inserted.map((l) => l.replaceAll('"', ''))).toEqual(libvirt.map((c) => c.args.slice(1).join(' ')));
  });

  it('re-add against the listing adds nothing; a half-applied chain is replaced whole', () => {
    const listing = listingAfterAdd();
    expect(renderNftScript(fw, 'add', listing)).toBe('');
    const nat = listing.tables['ip libvirt_network']!.chains['guest_nat']!;
    const handles = nat.map((r) => r.handle);
    nat.splice(1, 1);
    const repair = renderNftScript(fw, 'add', listing).trim().split('\n');
    expect(repair.filter((l) => l.startsWith('delete'))).toEqual(
      handles.filter((_, i) => i !== 1).map((h) => `delete rule ip libvirt_network guest_nat handle ${h}`),
    );
    expect(repair.filter((l) => l.startsWith('insert'))).toHaveLength(handles.length);
    expect(repair.every((l) => l.includes(' guest_nat '))).toBe(true);
  });

  it('remove: delete by handle the listed rules of the network, none of another network\'s', () => {
    const listing = listingAfterAdd();
    const other = firewallRules(net({ forward: { mode: 'nat' }, ips: [{ address: '10.8.0.1', prefix: 24 }] }), { bridge: 'virbr8' });
    listing.tables['ip libvirt_network']!.chains['guest_nat']!.unshift({ text: expectedNftRules(other)[0]!.chains['guest_nat']![0]!, handle: 999 });
    const script = renderNftScript(fw, 'remove', listing).trim().split('\n');
    const count = expectedNftRules(fw).reduce((n, f) => n + Object.values(f.chains).flat().length, 0);
    expect(script).toHaveLength(count);
    expect(script.every((l) => /^delete rule ip6? libvirt_network guest_\w+ handle \d+$/.test(l))).toBe(true);
    expect(script.some((l) => l.endsWith('handle 999'))).toBe(false);
    expect(renderNftScript(fw, 'remove', parseNftListing(''))).toBe('');
    expect(() => renderNftScript(fw, 'remove', parseNftListing('table ip libvirt_network {\nchain guest_nat {\n' + expectedNftRules(fw)[0]!.chains['guest_nat']![0] + '\n}\n}'))).toThrow(/handles/);
  });
});

describe('iptablesRestoreBlocks', () => {
  const fw = firewallRules(net({ forward: { mode: 'nat' } }), { bridge: 'virbr0' });

  it('the CHECKSUM rule in its own last block, after the base set-up of its table', () => {
    const blocks = iptablesRestoreBlocks(fw, 'ipv4', 'add', parseIptablesSave(''));
    expect(blocks.map((b) => [b.table, b.ignoreErrors])).toEqual([['filter', false], ['nat', false], ['mangle', false], ['mangle', true]]);
    expect(blocks[2]!.lines).toEqual(['-N LIBVIRT_PRT', '-I POSTROUTING -j LIBVIRT_PRT']);
    expect(blocks[3]!.lines).toEqual(['-I LIBVIRT_PRT -o virbr0 -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill']);
    expect(iptablesRestoreBlocks(fw, 'ipv4', 'remove').map((b) => [b.table, b.ignoreErrors])).toEqual([['filter', false], ['nat', false], ['mangle', true]]);
  });

  it('a partial dump (only the global chains) adds every rule and no chain', () => {
    // What iptables-save prints after that input: `-N X` as `:X - [0:0]`, `-I` as `-A`.
    const full = parseIptablesSave(renderIptablesRestore(fw, 'ipv4', 'add', parseIptablesSave('')).replace(/^-N (\S+)$/gm, ':$1 - [0:0]').replaceAll('-I ', '-A '));
    expect(full.tables['filter']!.chains).toEqual(['LIBVIRT_INP', 'LIBVIRT_OUT', 'LIBVIRT_FWO', 'LIBVIRT_FWI', 'LIBVIRT_FWX']);
    const base = { tables: Object.fromEntries(Object.entries(full.tables).map(([t, s]) => [t, { chains: s.chains, rules: s.rules.filter((l) => / -j LIBVIRT_\w+$/.test(l)) }])) };
    const text = renderIptablesRestore(fw, 'ipv4', 'add', base);
    expect(text).not.toMatch(/^(:|-N )/m);
    expect(text.split('\n').filter((l) => l.startsWith('-I LIBVIRT_'))).toHaveLength(fw.rules.filter((r) => r.family === 'ipv4').length);
  });
});
