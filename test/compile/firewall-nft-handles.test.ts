/**
 * A network's nft rules by handle: reading the handles from what `nft -a -e -f -` (nft 1.0.6)
 * echoes when it inserts them, and the one-transaction removal by handle. The echo below is real
 * output of nft 1.0.6 for a NAT network with IPv4 and IPv6 in a fresh namespace.
 */
import { describe, expect, it } from 'vitest';
import { firewallRules } from '../../src/compile/firewall/build.js';
import { nftHandlesFit, nftInsertedHandles, nftRuleCount, parseNftEcho, renderNftHandleRemoval } from '../../src/compile/firewall/nft-handles.js';
import { renderNftScript } from '../../src/compile/firewall/nft-script.js';
import { libvirtRemovalRecipe } from '../../src/compile/firewall/removal-recipe.js';
import { nftChainName } from '../../src/compile/firewall/rules.js';
import { defineNetwork } from '../../src/model/index.js';

const fw = firewallRules(
  defineNetwork({
    name: 'n',
    forward: { mode: 'nat' },
    ips: [
      { address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }] } },
      { family: 'ipv6', address: '2001:db8:122::1', prefix: 64 },
    ],
  }),
  { bridge: 'virbr0' },
);

/** `nft -a -e -f -` of `renderNftScript(fw, 'add')` in a fresh namespace. */
const ECHO = [
  'add table ip libvirt_network # handle 1',
  'add chain ip libvirt_network forward { type filter hook forward priority filter; policy accept; } # handle 1',
  'add chain ip libvirt_network guest_output # handle 2',
  'add chain ip libvirt_network guest_input # handle 3',
  'add chain ip libvirt_network guest_cross # handle 4',
  'add chain ip libvirt_network guest_nat { type nat hook postrouting priority srcnat; policy accept; } # handle 5',
  'insert rule ip libvirt_network forward counter packets 0 bytes 0 jump guest_output # handle 6',
  'insert rule ip libvirt_network forward handle 8 counter packets 0 bytes 0 jump guest_input # handle 7',
  'insert rule ip libvirt_network forward counter packets 0 bytes 0 jump guest_cross # handle 8',
  'add table ip6 libvirt_network # handle 2',
  'add chain ip6 libvirt_network forward { type filter hook forward priority filter; policy accept; } # handle 1',
  'add chain ip6 libvirt_network guest_output # handle 2',
  'add chain ip6 libvirt_network guest_input # handle 3',
  'add chain ip6 libvirt_network guest_cross # handle 4',
  'add chain ip6 libvirt_network guest_nat { type nat hook postrouting priority srcnat; policy accept; } # handle 5',
  'insert rule ip6 libvirt_network forward counter packets 0 bytes 0 jump guest_output # handle 6',
  'insert rule ip6 libvirt_network forward handle 8 counter packets 0 bytes 0 jump guest_input # handle 7',
  'insert rule ip6 libvirt_network forward counter packets 0 bytes 0 jump guest_cross # handle 8',
  'insert rule ip libvirt_network guest_output iif "virbr0" counter packets 0 bytes 0 reject # handle 9',
  'insert rule ip libvirt_network guest_input oif "virbr0" counter packets 0 bytes 0 reject # handle 10',
  'insert rule ip libvirt_network guest_cross iif "virbr0" oif "virbr0" counter packets 0 bytes 0 accept # handle 11',
  'insert rule ip libvirt_network guest_output ip saddr 192.168.122.0/24 iif "virbr0" counter packets 0 bytes 0 accept # handle 12',
  'insert rule ip libvirt_network guest_input oif "virbr0" ip daddr 192.168.122.0/24 ct state established,related counter packets 0 bytes 0 accept # handle 13',
  'insert rule ip libvirt_network guest_nat ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 masquerade # handle 14',
  'insert rule ip libvirt_network guest_nat handle 16 meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 masquerade to :1024-65535 # handle 15',
  'insert rule ip libvirt_network guest_nat handle 17 meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 masquerade to :1024-65535 # handle 16',
  'insert rule ip libvirt_network guest_nat handle 18 ip saddr 192.168.122.0/24 ip daddr 255.255.255.255 counter packets 0 bytes 0 return # handle 17',
  'insert rule ip libvirt_network guest_nat ip saddr 192.168.122.0/24 ip daddr 224.0.0.0/24 counter packets 0 bytes 0 return # handle 18',
  'insert rule ip6 libvirt_network guest_output iif "virbr0" counter packets 0 bytes 0 reject # handle 9',
  'insert rule ip6 libvirt_network guest_input oif "virbr0" counter packets 0 bytes 0 reject # handle 10',
  'insert rule ip6 libvirt_network guest_cross iif "virbr0" oif "virbr0" counter packets 0 bytes 0 accept # handle 11',
  'insert rule ip6 libvirt_network guest_output ip6 saddr 2001:db8:122::/64 iif "virbr0" counter packets 0 bytes 0 accept # handle 12',
  'insert rule ip6 libvirt_network guest_input ip6 daddr 2001:db8:122::/64 oif "virbr0" counter packets 0 bytes 0 accept # handle 13',
  '# new generation 2 by process 4242 (nft)',
].join('\n');

const IPV4 = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
const IPV6 = [9, 10, 11, 12, 13];

describe('parseNftEcho', () => {
  it('keeps the added and inserted rules with their new handles, without position, counters or other lines', () => {
    const rules = parseNftEcho(ECHO);
    expect(rules).toHaveLength(6 + 15);
    expect(rules[1]).toEqual({ family: 'ip', table: 'libvirt_network', chain: 'forward', text: 'counter jump guest_input', handle: 7 });
    expect(rules.find((r) => r.handle === 15 && r.family === 'ip')).toEqual({
      family: 'ip',
      table: 'libvirt_network',
      chain: 'guest_nat',
      text: 'meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535',
      handle: 15,
    });
    expect(parseNftEcho('add rule inet t c tcp dport 22 accept # handle 4\n')).toEqual([{ family: 'inet', table: 't', chain: 'c', text: 'tcp dport 22 accept', handle: 4 }]);
    expect(parseNftEcho('add table ip libvirt_network # handle 1\ninsert rule ip t c accept\n# new generation 2 by process 1 (nft)\n')).toEqual([]);
  });
});

describe('nftInsertedHandles', () => {
  it('gives each nft rule of the network its handle, in emission order', () => {
    // The script that produced the echo is the one the backend runs.
    expect(renderNftScript(fw, 'add').split('\n').filter((l) => l.startsWith('insert rule') && !l.includes(' forward '))).toHaveLength(15);
    const handles = nftInsertedHandles(fw, ECHO);
    expect(nftRuleCount(fw)).toBe(15);
    const families = fw.rules.filter((r) => nftChainName(r.table, r.chain) !== undefined).map((r) => r.family);
    // IPv4's rules took 9..18 in their table, IPv6's 9..13 in theirs.
    expect(handles).toEqual(families.map((f, i) => (f === 'ipv4' ? IPV4 : IPV6)[families.slice(0, i).filter((g) => g === f).length]));
    // Each handle names the rule libvirt's recipe deletes with it.
    expect(libvirtRemovalRecipe(fw, 'nftables', handles)[0]?.actions.filter((a) => a.layer !== 'tc')).toHaveLength(15);
  });

  it('vouches for nothing when the echo is not exactly the network\'s rules', () => {
    const lines = ECHO.split('\n');
    const withoutLast = lines.filter((l) => !l.includes('# handle 18')).join('\n');
    expect(nftInsertedHandles(fw, withoutLast)).toBeUndefined();
    const otherText = ECHO.replace('ip daddr 224.0.0.0/24 counter packets 0 bytes 0 return', 'ip daddr 224.0.0.0/8 counter packets 0 bytes 0 return');
    expect(nftInsertedHandles(fw, otherText)).toBeUndefined();
    const extra = `${ECHO}\ninsert rule ip libvirt_network guest_cross iif "virbr9" oif "virbr9" counter packets 0 bytes 0 accept # handle 40`;
    expect(nftInsertedHandles(fw, extra)).toBeUndefined();
    const otherFamily = ECHO.replace('insert rule ip6 libvirt_network guest_cross', 'insert rule ip libvirt_network guest_cross');
    expect(nftInsertedHandles(fw, otherFamily)).toBeUndefined();
    expect(nftInsertedHandles(fw, '')).toBeUndefined();
    // A network without nft rules has an empty list.
    expect(nftInsertedHandles({ bridge: 'virbr0', rules: [] }, '')).toEqual([]);
  });
});

describe('renderNftHandleRemoval', () => {
  it('deletes each rule by family, chain and handle, newest first, in one script', () => {
    const handles = nftInsertedHandles(fw, ECHO)!;
    const script = renderNftHandleRemoval(fw, handles);
    const lines = script.trimEnd().split('\n');
    expect(lines).toHaveLength(15);
    expect(script.endsWith('\n')).toBe(true);
    expect(lines).toContain('delete rule ip libvirt_network guest_nat handle 18');
    expect(lines).toContain('delete rule ip6 libvirt_network guest_input handle 13');
    expect(lines.at(-1)).toBe('delete rule ip libvirt_network guest_output handle 9');
    expect(lines.every((l) => /^delete rule ip6? libvirt_network guest_(output|input|cross|nat) handle \d+$/.test(l))).toBe(true);
    // Every (family, handle) pair once.
    expect(new Set(lines.map((l) => l.replace(/ guest_\w+/, ''))).size).toBe(15);
    expect(renderNftHandleRemoval({ bridge: 'virbr0', rules: [] }, [])).toBe('');
  });

  it('refuses handles that do not fit the rules', () => {
    const handles = nftInsertedHandles(fw, ECHO)!;
    expect(nftHandlesFit(fw, handles)).toBe(true);
    for (const bad of [handles.slice(1), [...handles, 19], handles.map((h, i) => (i === 3 ? 0 : h)), handles.map((h, i) => (i === 3 ? 1.5 : h))]) {
      expect(nftHandlesFit(fw, bad)).toBe(false);
      expect(() => renderNftHandleRemoval(fw, bad)).toThrow(RangeError);
    }
    expect(nftHandlesFit(fw, handles.map(String))).toBe(false);
  });
});
