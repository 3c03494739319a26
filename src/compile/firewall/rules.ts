/**
 * The firewall rule model: every rule libvirt installs for one network, as plain JSON data, from
 * which three renderings are made (libvirt's command text, iptables-restore input, an nft script).
 *
 * A rule is written the way libvirt's iptables code thinks of it: a family, a logical chain in a
 * table (`filter`/`nat`/`mangle`), an ordered list of matches and one action. The nftables backend
 * maps the logical chains onto its own (`FWO` → `guest_output`, `FWI` → `guest_input`, `FWX` →
 * `guest_cross`, nat `PRT` → `guest_nat`) and has no host `INP`/`OUT` rules and no `CHECKSUM`
 * (it uses a tc filter instead, see {@link FirewallRules.tcChecksum}).
 *
 * @module
 */

/** Address family of a rule (`iptables` vs `ip6tables`, nft `ip` vs `ip6`). */
export type FirewallFamily = 'ipv4' | 'ipv6';

/** The netfilter table a rule lives in. */
export type FirewallTable = 'filter' | 'nat' | 'mangle';

/**
 * libvirt's private chains, by their suffix: iptables names them `LIBVIRT_<suffix>`.
 * `INP`/`OUT`: traffic to/from the host on the bridge (DHCP, DNS, TFTP); `FWO`: forwarded out of the
 * bridge; `FWI`: forwarded into the bridge; `FWX`: across the bridge; `PRT`: POSTROUTING (nat
 * table for masquerading, mangle table for the DHCP checksum fix).
 */
export type FirewallChain = 'INP' | 'OUT' | 'FWO' | 'FWI' | 'FWX' | 'PRT';

/**
 * Which device an interface match names. libvirt's nftables rules match the network's bridge by
 * index (`iif`/`oif`, so the bridge must exist when the rule is loaded) and the uplink by name
 * (`iifname`/`oifname`); iptables matches both by name.
 */
export type InterfaceRole = 'bridge' | 'uplink';

/** `--in-interface` / `--out-interface` (nft `iif`/`oif` or `iifname`/`oifname`). */
export interface InterfaceMatch {
  kind: 'in-interface' | 'out-interface';
  name: string;
  role: InterfaceRole;
}

/** `--protocol tcp|udp` (nft `meta l4proto`, or the protocol of a port match). */
export interface ProtocolMatch {
  kind: 'protocol';
  protocol: 'tcp' | 'udp';
}

/** `--destination-port N`; always preceded by a {@link ProtocolMatch}. */
export interface PortMatch {
  kind: 'destination-port';
  port: number;
}

/** `--source` / `--destination` network in CIDR form (`192.168.122.0/24`), possibly negated. */
export interface AddressMatch {
  kind: 'source' | 'destination';
  /** Network address and prefix, `a.b.c.d/p` or `x::/p`. */
  cidr: string;
  negate: boolean;
}

/** `--match conntrack --ctstate ESTABLISHED,RELATED` (nft `ct state related,established`). */
export interface ConntrackMatch {
  kind: 'conntrack';
  states: Array<'ESTABLISHED' | 'RELATED'>;
}

/** One match of a rule. */
export type FirewallMatch = InterfaceMatch | ProtocolMatch | PortMatch | AddressMatch | ConntrackMatch;

/** A port range for NAT (`1024-65535`). */
export interface PortRange {
  start: number;
  end: number;
}

/** What a matching packet gets. */
export type FirewallAction =
  | { kind: 'ACCEPT' }
  | { kind: 'REJECT' }
  | { kind: 'RETURN' }
  /** `--jump MASQUERADE [--to-ports P1-P2]` (nft `masquerade [to :P1-P2]`). */
  | { kind: 'MASQUERADE'; toPorts?: PortRange }
  /** `--jump SNAT --to-source A[-B][:P1-P2]` (nft `snat to A[-B][:P1-P2]`), from `<nat><address>`. */
  | { kind: 'SNAT'; from: string; to?: string; toPorts?: PortRange }
  /** `--jump CHECKSUM --checksum-fill` (iptables only). */
  | { kind: 'CHECKSUM' };

/** One rule. */
export interface FirewallRule {
  family: FirewallFamily;
  table: FirewallTable;
  chain: FirewallChain;
  /** In the order libvirt's iptables code writes them. */
  matches: FirewallMatch[];
  action: FirewallAction;
  /**
   * Set on the DHCP checksum rule: libvirt applies it in a second transaction that ignores
   * errors (the CHECKSUM target may be missing from the kernel).
   */
  ignoreErrors?: boolean;
}

/**
 * Every rule virtnet installs for one network, in libvirt's emission order. libvirt inserts each
 * rule at the top of its chain, so within a chain the installed order is the reverse of this list.
 * An empty `rules` list means the network gets no firewall at all (modes open, bridge, private,
 * vepa, passthrough, hostdev): no private chains either.
 *
 * @example
 * ```ts
 * const fw = firewallRules(net, { bridge: 'virbr0' });
 * const script = renderNftScript(fw, 'add');
 * ```
 */
export interface FirewallRules {
  /** The network's bridge, as it appears in the rules. */
  bridge: string;
  rules: FirewallRule[];
  /**
   * nftables only: the tc filter that fixes DHCP reply checksums on the bridge (libvirt adds it
   * for every network that gets rules). Absent when the network gets no firewall.
   */
  tcChecksum?: { dev: string; port: number };
}

/** The iptables name of a logical chain. */
export function iptablesChainName(chain: FirewallChain): string {
  return `LIBVIRT_${chain}`;
}

/**
 * The nftables chain of libvirt's table that holds a rule of this table/chain, or undefined when
 * the nftables backend has no such rule (host INPUT/OUTPUT rules and the mangle CHECKSUM rule).
 */
export function nftChainName(table: FirewallTable, chain: FirewallChain): string | undefined {
  if (table === 'filter') {
    if (chain === 'FWO') return 'guest_output';
    if (chain === 'FWI') return 'guest_input';
    if (chain === 'FWX') return 'guest_cross';
    return undefined;
  }
  if (table === 'nat' && chain === 'PRT') return 'guest_nat';
  return undefined;
}

/** The rules of one family, in emission order. */
export function rulesOfFamily(rules: FirewallRules, family: FirewallFamily): FirewallRule[] {
  return rules.rules.filter((r) => r.family === family);
}
