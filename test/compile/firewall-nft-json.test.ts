/**
 * parseNftJson on `nft -j list ruleset` output recorded from nft 1.0.6 in a throwaway namespace:
 * every rule renders in the text listing's form (same tables, chains, texts and handles as
 * parseNftListing of `nft -a list ruleset`), unknown statements stay visible, bad input gets a
 * typed error.
 */
import { describe, expect, it } from 'vitest';
import { nftJsonRuleText, parseNftJson, type NftJsonValue } from '../../src/compile/firewall/nft-json.js';
import { parseNftListing } from '../../src/compile/firewall/nft-state.js';
import { CompileError } from '../../src/compile/errors.js';

const METAINFO = '{"metainfo":{"version":"1.0.6","release_name":"Lester Gooch #5","json_schema_version":1}}';

/** A ruleset document from entries. */
const ruleset = (entries: readonly string[]): string => `{"nftables":[${entries.join(',')}]}`;

/** Tables and chains of the libvirt-shaped ruleset, as `nft -j list ruleset` (nft 1.0.6) gave them. */
const LIBVIRT_OBJECTS = [
  '{"table":{"family":"ip","name":"libvirt_network","handle":1}}',
  '{"chain":{"family":"ip","table":"libvirt_network","name":"forward","handle":1,"type":"filter","hook":"forward","prio":0,"policy":"accept"}}',
  '{"chain":{"family":"ip","table":"libvirt_network","name":"guest_output","handle":2}}',
  '{"chain":{"family":"ip","table":"libvirt_network","name":"guest_input","handle":3}}',
  '{"chain":{"family":"ip","table":"libvirt_network","name":"guest_cross","handle":4}}',
  '{"chain":{"family":"ip","table":"libvirt_network","name":"guest_nat","handle":5,"type":"nat","hook":"postrouting","prio":100,"policy":"accept"}}',
  '{"table":{"family":"ip6","name":"libvirt_network","handle":2}}',
  '{"chain":{"family":"ip6","table":"libvirt_network","name":"guest_output","handle":1}}',
  '{"chain":{"family":"ip6","table":"libvirt_network","name":"guest_nat","handle":2,"type":"nat","hook":"postrouting","prio":100,"policy":"accept"}}',
];

/** Its rules (JSON entry, listed text). */
const LIBVIRT_RULES: Array<[string, string]> = [
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"forward","handle":6,"expr":[{"counter":{"packets":0,"bytes":0}},{"jump":{"target":"guest_output"}}]}}', 'counter jump guest_output'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_output","handle":22,"expr":[{"counter":{"packets":0,"bytes":0}},{"return":null}]}}', 'counter return'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_output","handle":21,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"th","field":"dport"}},"right":68}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'th dport 68 counter accept'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_output","handle":20,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":68}},{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'udp dport 68 iif "virbr0" counter accept'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_output","handle":8,"expr":[{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"reject":{"type":"icmp","expr":"port-unreachable"}}]}}', 'iif "virbr0" counter reject'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_output","handle":7,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'ip saddr 192.168.122.0/24 iif "virbr0" counter accept'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_input","handle":11,"expr":[{"match":{"op":"==","left":{"meta":{"key":"oif"}},"right":"virbr0"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'oif "virbr0" ip daddr 192.168.122.0/24 counter accept'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_input","handle":10,"expr":[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"enp0s7"}},{"match":{"op":"==","left":{"meta":{"key":"oif"}},"right":"virbr0"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","related"]}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'iifname "enp0s7" oif "virbr0" ip daddr 192.168.122.0/24 ct state established,related counter accept'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_input","handle":9,"expr":[{"match":{"op":"==","left":{"meta":{"key":"oif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"reject":{"type":"icmp","expr":"port-unreachable"}}]}}', 'oif "virbr0" counter reject'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_cross","handle":12,"expr":[{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"virbr0"}},{"match":{"op":"==","left":{"meta":{"key":"oif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'iif "virbr0" oif "virbr0" counter accept'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":19,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"counter":{"packets":0,"bytes":0}},{"snat":{"addr":{"range":["10.0.0.1","10.0.0.3"]}}}]}}', 'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat to 10.0.0.1-10.0.0.3'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":18,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"udp"}},{"counter":{"packets":0,"bytes":0}},{"snat":{"addr":"10.0.0.1","port":{"range":[500,1000]}}}]}}', 'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 meta l4proto udp counter snat to 10.0.0.1:500-1000'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":17,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"counter":{"packets":0,"bytes":0}},{"snat":{"addr":"10.0.0.1"}}]}}', 'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter snat to 10.0.0.1'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":16,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"==","left":{"meta":{"key":"oifname"}},"right":"enp0s7"}},{"counter":{"packets":0,"bytes":0}},{"snat":{"addr":{"range":["10.0.0.1","10.0.0.5"]},"port":{"range":[500,1000]}}}]}}', 'meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 oifname "enp0s7" counter snat to 10.0.0.1-10.0.0.5:500-1000'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":15,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"255.255.255.255"}},{"counter":{"packets":0,"bytes":0}},{"return":null}]}}', 'ip saddr 192.168.122.0/24 ip daddr 255.255.255.255 counter return'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":14,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"counter":{"packets":0,"bytes":0}},{"masquerade":null}]}}', 'ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade'],
  ['{"rule":{"family":"ip","table":"libvirt_network","chain":"guest_nat","handle":13,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"udp"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"192.168.122.0","len":24}}}},{"counter":{"packets":0,"bytes":0}},{"masquerade":{"port":{"range":[1024,65535]}}}]}}', 'meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535'],
  ['{"rule":{"family":"ip6","table":"libvirt_network","chain":"guest_output","handle":4,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip6","field":"saddr"}},"right":"2001:db8:ca2:2::1"}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip6","field":"daddr"}},"right":{"prefix":{"addr":"ff02::","len":16}}}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'ip6 saddr 2001:db8:ca2:2::1 ip6 daddr != ff02::/16 counter accept'],
  ['{"rule":{"family":"ip6","table":"libvirt_network","chain":"guest_output","handle":3,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip6","field":"saddr"}},"right":{"prefix":{"addr":"2001:db8:ca2:2::","len":64}}}},{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'ip6 saddr 2001:db8:ca2:2::/64 iif "virbr0" counter accept'],
  ['{"rule":{"family":"ip6","table":"libvirt_network","chain":"guest_nat","handle":5,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip6","field":"saddr"}},"right":{"prefix":{"addr":"2001:db8:ca2:2::","len":64}}}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip6","field":"daddr"}},"right":{"prefix":{"addr":"2001:db8:ca2:2::","len":64}}}},{"counter":{"packets":0,"bytes":0}},{"masquerade":{"port":{"range":[1024,65535]}}}]}}', 'meta l4proto tcp ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr != 2001:db8:ca2:2::/64 counter masquerade to :1024-65535'],
];

/** `nft -a list ruleset` of the same namespace. */
const LIBVIRT_LISTING = `table ip libvirt_network { # handle 1
	chain forward { # handle 1
		type filter hook forward priority filter; policy accept;
		counter packets 0 bytes 0 jump guest_output # handle 6
	}

	chain guest_output { # handle 2
		counter packets 0 bytes 0 return # handle 22
		th dport 68 counter packets 0 bytes 0 accept # handle 21
		udp dport 68 iif "virbr0" counter packets 0 bytes 0 accept # handle 20
		iif "virbr0" counter packets 0 bytes 0 reject # handle 8
		ip saddr 192.168.122.0/24 iif "virbr0" counter packets 0 bytes 0 accept # handle 7
	}

	chain guest_input { # handle 3
		oif "virbr0" ip daddr 192.168.122.0/24 counter packets 0 bytes 0 accept # handle 11
		iifname "enp0s7" oif "virbr0" ip daddr 192.168.122.0/24 ct state established,related counter packets 0 bytes 0 accept # handle 10
		oif "virbr0" counter packets 0 bytes 0 reject # handle 9
	}

	chain guest_cross { # handle 4
		iif "virbr0" oif "virbr0" counter packets 0 bytes 0 accept # handle 12
	}

	chain guest_nat { # handle 5
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 snat to 10.0.0.1-10.0.0.3 # handle 19
		ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 meta l4proto udp counter packets 0 bytes 0 snat to 10.0.0.1:500-1000 # handle 18
		ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 snat to 10.0.0.1 # handle 17
		meta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 oifname "enp0s7" counter packets 0 bytes 0 snat to 10.0.0.1-10.0.0.5:500-1000 # handle 16
		ip saddr 192.168.122.0/24 ip daddr 255.255.255.255 counter packets 0 bytes 0 return # handle 15
		ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 masquerade # handle 14
		meta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter packets 0 bytes 0 masquerade to :1024-65535 # handle 13
	}
}
table ip6 libvirt_network { # handle 2
	chain guest_output { # handle 1
		ip6 saddr 2001:db8:ca2:2::1 ip6 daddr != ff02::/16 counter packets 0 bytes 0 accept # handle 4
		ip6 saddr 2001:db8:ca2:2::/64 iif "virbr0" counter packets 0 bytes 0 accept # handle 3
	}

	chain guest_nat { # handle 2
		type nat hook postrouting priority srcnat; policy accept;
		meta l4proto tcp ip6 saddr 2001:db8:ca2:2::/64 ip6 daddr != 2001:db8:ca2:2::/64 counter packets 0 bytes 0 masquerade to :1024-65535 # handle 5
	}
}
`;

/** Other shapes (inet and ip6 tables): rejects, comments, sets, marks, ranges, NAT forms. */
const OTHER_RULES: Array<[string, string]> = [
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":3,"expr":[{"match":{"op":"==","left":{"meta":{"key":"iif"}},"right":"virbr0"}},{"counter":{"packets":0,"bytes":0}},{"reject":{"type":"icmpx","expr":"port-unreachable"}}]}}', 'iif "virbr0" counter reject'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":4,"expr":[{"reject":{"type":"icmpx","expr":"admin-prohibited"}}]}}', 'reject with icmpx admin-prohibited'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":5,"expr":[{"reject":{"type":"icmp","expr":"host-unreachable"}}]}}', 'reject with icmp host-unreachable'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":6,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"reject":{"type":"tcp reset"}}]}}', 'meta l4proto tcp reject with tcp reset'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":7,"comment":"hello there","expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":"10.0.0.1"}},{"counter":{"packets":0,"bytes":0}},{"accept":null}]}}', 'ip saddr 10.0.0.1 counter accept comment "hello there"'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":10,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"set":["10.0.0.1","10.0.0.2"]}}},{"accept":null}]}}', 'ip daddr { 10.0.0.1, 10.0.0.2 } accept'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":11,"expr":[{"match":{"op":"==","left":{"meta":{"key":"mark"}},"right":1}},{"accept":null}]}}', 'meta mark 0x00000001 accept'],
  ['{"rule":{"family":"inet","table":"t","chain":"c","handle":12,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":{"range":[22,25]}}},{"goto":{"target":"d"}}]}}', 'tcp dport 22-25 goto d'],
  ['{"rule":{"family":"inet","table":"t","chain":"n","handle":14,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"snat":{"family":"ip6","addr":"2001:db8::1","port":{"range":[500,1000]}}}]}}', 'meta l4proto tcp snat ip6 to [2001:db8::1]:500-1000'],
  ['{"rule":{"family":"inet","table":"t","chain":"n","handle":15,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"snat":{"family":"ip","addr":{"range":["10.0.0.1","10.0.0.4"]},"port":{"range":[500,1000]}}}]}}', 'meta l4proto tcp snat ip to 10.0.0.1-10.0.0.4:500-1000'],
  ['{"rule":{"family":"inet","table":"t","chain":"n","handle":16,"expr":[{"masquerade":{"flags":"random"}}]}}', 'masquerade random'],
  ['{"rule":{"family":"inet","table":"t","chain":"n","handle":17,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"masquerade":{"port":{"range":[1024,65535]},"flags":["random","persistent"]}}]}}', 'meta l4proto tcp masquerade to :1024-65535 random,persistent'],
  ['{"rule":{"family":"ip6","table":"u","chain":"c","handle":2,"expr":[{"counter":{"packets":0,"bytes":0}},{"reject":{"type":"icmpv6","expr":"port-unreachable"}}]}}', 'counter reject'],
  ['{"rule":{"family":"ip6","table":"u","chain":"c","handle":3,"expr":[{"match":{"op":"!=","left":{"payload":{"protocol":"ip6","field":"daddr"}},"right":"ff02::1"}},{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","new"]}},{"counter":{"packets":0,"bytes":0}},{"drop":null}]}}', 'ip6 daddr != ff02::1 ct state established,new counter drop'],
];

/** The error parseNftJson throws for `text`. */
function errorOf(text: string): CompileError {
  try {
    parseNftJson(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    return e as CompileError;
  }
  throw new Error('parseNftJson did not throw');
}

describe('parseNftJson', () => {
  it('gives what parseNftListing gives for the same libvirt-shaped ruleset', () => {
    const json = ruleset([METAINFO, ...LIBVIRT_OBJECTS, ...LIBVIRT_RULES.map(([entry]) => entry)]);
    const fromJson = parseNftJson(json);
    expect(fromJson).toEqual(parseNftListing(LIBVIRT_LISTING));
    expect(Object.keys(fromJson.tables)).toEqual(['ip libvirt_network', 'ip6 libvirt_network']);
    expect(fromJson.tables['ip libvirt_network']?.chains['guest_cross']).toEqual([{ text: 'iif "virbr0" oif "virbr0" counter accept', handle: 12 }]);
  });

  it.each(LIBVIRT_RULES.map(([entry, text]) => [text, entry] as const))('libvirt rule: %s', (text, entry) => {
    const parsed = JSON.parse(entry) as { rule: { family: string; handle: number; expr: NftJsonValue[] } };
    expect(nftJsonRuleText(parsed.rule.expr, parsed.rule.family)).toBe(text);
  });

  it.each(OTHER_RULES.map(([entry, text]) => [text, entry] as const))('other rule: %s', (text, entry) => {
    const listing = parseNftJson(ruleset([entry]));
    const [table] = Object.values(listing.tables);
    const [rules] = Object.values(table!.chains);
    expect(rules?.map((r) => r.text)).toEqual([text]);
  });

  it('keeps chains without rules and tables without chains, skips sets', () => {
    const json = ruleset([
      METAINFO,
      '{"table":{"family":"inet","name":"t","handle":1}}',
      '{"set":{"family":"inet","name":"s","table":"t","type":"ipv4_addr","handle":3}}',
      '{"chain":{"family":"inet","table":"t","name":"d","handle":2}}',
      '{"table":{"family":"ip","name":"empty","handle":2}}',
    ]);
    expect(parseNftJson(json)).toEqual({ tables: { 'inet t': { chains: { d: [] } }, 'ip empty': { chains: {} } } });
  });

  it('an empty ruleset has no tables', () => {
    expect(parseNftJson(ruleset([METAINFO]))).toEqual({ tables: {} });
  });

  it('renders an unknown statement as a json:{…} token instead of dropping it', () => {
    // Recorded: `log prefix "x" drop` (nft 1.0.6).
    const entry = '{"rule":{"family":"inet","table":"t","chain":"c","handle":8,"expr":[{"log":{"prefix":"x"}},{"drop":null}]}}';
    expect(parseNftJson(ruleset([entry])).tables['inet t']?.chains['c']).toEqual([{ text: 'json:{"log":{"prefix":"x"}} drop', handle: 8 }]);
  });

  it('renders a match with an unknown left side or value as a json:{…} token', () => {
    const fib = { match: { op: '==', left: { fib: { result: 'type', flags: ['daddr'] } }, right: 'local' } };
    const weird = { match: { op: '==', left: { meta: { key: 'iif' } }, right: { elem: { val: 'x' } } } };
    expect(nftJsonRuleText([fib, { accept: null }], 'ip')).toBe(`json:${JSON.stringify(fib)} accept`);
    expect(nftJsonRuleText([weird, { counter: { packets: 3, bytes: 9 } }], 'ip')).toBe(`json:${JSON.stringify(weird)} counter`);
    // A NAT statement with a key the renderer does not know is not half-rendered.
    const nat = { snat: { addr: '10.0.0.1', type_flags: 'x' } };
    expect(nftJsonRuleText([nat], 'ip')).toBe(`json:${JSON.stringify(nat)}`);
  });

  it('prints a non-default reject with its type and the default one bare, per family', () => {
    const reject = (type: string, expr: string) => [{ reject: { type, expr } }];
    expect(nftJsonRuleText(reject('icmp', 'port-unreachable'), 'ip')).toBe('reject');
    expect(nftJsonRuleText(reject('icmpv6', 'port-unreachable'), 'ip6')).toBe('reject');
    expect(nftJsonRuleText(reject('icmp', 'port-unreachable'), 'inet')).toBe('reject with icmp port-unreachable');
    expect(nftJsonRuleText([{ reject: null }], 'ip')).toBe('reject');
  });

  it('prints /32 and /128 prefixes as addresses and keeps other prefixes', () => {
    const match = (protocol: string, addr: string, len: number) => ({ match: { op: '!=', left: { payload: { protocol, field: 'daddr' } }, right: { prefix: { addr, len } } } });
    expect(nftJsonRuleText([match('ip', '10.0.0.1', 32)], 'ip')).toBe('ip daddr != 10.0.0.1');
    expect(nftJsonRuleText([match('ip', '10.0.0.0', 8)], 'ip')).toBe('ip daddr != 10.0.0.0/8');
    expect(nftJsonRuleText([match('ip6', '2001:db8::1', 128)], 'ip6')).toBe('ip6 daddr != 2001:db8::1');
    expect(nftJsonRuleText([match('ip6', '2001:db8::', 32)], 'ip6')).toBe('ip6 daddr != 2001:db8::/32');
  });

  it('rejects text that is not JSON with firewall.nft-json-syntax', () => {
    for (const bad of ['', 'table ip libvirt_network {', '{"nftables":[']) {
      const e = errorOf(bad);
      expect(e.code).toBe('firewall.nft-json-syntax');
      expect(e.path).toBe('/');
      expect(e.message).toMatch(/^nft JSON output is not valid JSON: /);
    }
  });

  it('rejects JSON that is not a ruleset with firewall.nft-json-shape and a JSON pointer', () => {
    const cases: Array<[string, string]> = [
      ['[]', '/'],
      ['{"nftables":{}}', '/'],
      [ruleset([METAINFO, '"x"']), '/nftables/1'],
      [ruleset(['{"table":{"family":"ip","name":"t"},"extra":1}']), '/nftables/0'],
      [ruleset(['{"table":{"name":"t"}}']), '/nftables/0/table/family'],
      [ruleset(['{"chain":{"family":"ip","table":"t","name":7}}']), '/nftables/0/chain/name'],
      [ruleset(['{"rule":{"family":"ip","table":"t","chain":"c","handle":1}}']), '/nftables/0/rule/expr'],
      [ruleset(['{"rule":{"family":"ip","table":"t","chain":"c","handle":"1","expr":[]}}']), '/nftables/0/rule/handle'],
      [ruleset(['{"rule":"x"}']), '/nftables/0/rule'],
    ];
    for (const [text, path] of cases) {
      const e = errorOf(text);
      expect([e.code, e.path]).toEqual(['firewall.nft-json-shape', path]);
    }
  });
});
