/**
 * An `nft -f` script adding (or removing) one network's rules, atomic (nft applies a file as one
 * transaction) and idempotent without reading host state first.
 *
 * Layout, per family (`ip`, `ip6`), in libvirt's table `libvirt_network`:
 * - libvirt's base chains: `forward` (filter hook, jumping to `guest_cross`, `guest_input`,
 *   `guest_output` in that order) and `guest_nat` (nat hook postrouting);
 * - in each of `guest_output`/`guest_input`/`guest_cross`/`guest_nat` a single dispatch rule,
 *   a verdict-map lookup: `iifname vmap @guest_output_dispatch`, `oifname vmap
 *   @guest_input_dispatch`, `iifname vmap @guest_cross_dispatch`, `ip saddr vmap
 *   @guest_nat_dispatch` (an interval map of subnets);
 * - per network, chains `guest_output_<bridge>`, … holding exactly libvirt's rules for the network
 *   in libvirt's final order, and one map element per chain: `"<bridge>" : jump
 *   guest_output_<bridge>` (nat: `<subnet> : jump guest_nat_<bridge>` per masqueraded subnet).
 *
 * Why this is equivalent to libvirt's flat chains: every rule libvirt puts in guest_output
 * matches `iif <bridge>` of its own network, every guest_input rule `oif <bridge>`, every
 * guest_cross rule both, and every guest_nat rule `saddr <subnet>`; so for a given packet only
 * one network's rules can match, and the dispatch picks exactly those. Verdicts are unchanged:
 * accept/reject end the base chain as before, and `return` from a network chain falls off the end
 * of `guest_nat` (policy accept), as a `return` in libvirt's base chain does.
 *
 * Why it is idempotent: `add table/chain/map` and `add element` of an identical element are no-ops
 * when the object exists; the base chains and the network's own chains are flushed and refilled
 * in the same transaction. Re-applying the same script leaves the same ruleset; two networks
 * never touch each other's chains or elements. Removal adds then deletes the network's elements
 * and chains in one transaction, which succeeds whether or not they existed. The table and base
 * chains stay, as with libvirt. Chains are declared before the maps in each script: nft 1.0.6
 * fails an interval-map element jumping to a chain declared after the map in a new table.
 *
 * @module
 */
import { isIpv6, networkAddress } from '../../model/address.js';
import { NFT_BASE_CHAINS, NFT_TABLE, nftFamily } from './base.js';
import { nftActionTokens, nftMatchTokens } from './nft-syntax.js';
import { nftChainName, rulesOfFamily, type FirewallFamily, type FirewallRule, type FirewallRules } from './rules.js';

/** The dispatching chains, in libvirt's `forward` jump order (cross, input, output) then nat. */
export const DISPATCH_CHAINS = ['guest_cross', 'guest_input', 'guest_output', 'guest_nat'] as const;

/** One of {@link DISPATCH_CHAINS}. */
export type DispatchChain = (typeof DISPATCH_CHAINS)[number];

/** How each dispatching chain picks a network: the key expression and the map's key type. */
const DISPATCH: Record<DispatchChain, { key: (fam: 'ip' | 'ip6') => string; type: (fam: 'ip' | 'ip6') => string; interval: boolean }> = {
  guest_output: { key: () => 'iifname', type: () => 'ifname', interval: false },
  guest_input: { key: () => 'oifname', type: () => 'ifname', interval: false },
  guest_cross: { key: () => 'iifname', type: () => 'ifname', interval: false },
  guest_nat: { key: (fam) => `${fam} saddr`, type: (fam) => (fam === 'ip' ? 'ipv4_addr' : 'ipv6_addr'), interval: true },
};

/** The one rule of a dispatching chain (`iifname vmap @guest_output_dispatch`). */
export function nftDispatchRuleText(chain: DispatchChain, family: FirewallFamily): string {
  return `${DISPATCH[chain].key(nftFamily(family))} vmap @${nftDispatchMapName(chain)}`;
}

/** Name of the map a dispatching chain looks up. */
export function nftDispatchMapName(chain: string): string {
  return `${chain}_dispatch`;
}

/** Name of a network's own chain under a dispatching chain (`guest_output_virbr0`). */
export function nftNetworkChainName(chain: string, bridge: string): string {
  return `${chain}_${bridge}`;
}

/** One rule's text after `add rule FAMILY TABLE CHAIN`. */
export function nftRuleText(rule: FirewallRule): string {
  return [...nftMatchTokens(rule, 'quoted'), ...nftActionTokens(rule.action)].join(' ');
}

/** The network's rules of one family grouped by libvirt chain, each in libvirt's final order. */
export function nftNetworkChains(rules: FirewallRules, family: FirewallFamily): Map<string, FirewallRule[]> {
  const out = new Map<string, FirewallRule[]>();
  for (const rule of rulesOfFamily(rules, family)) {
    const chain = nftChainName(rule.table, rule.chain);
    if (chain === undefined) continue;
    // libvirt inserts each rule at the top: reverse emission order.
    out.set(chain, [rule, ...(out.get(chain) ?? [])]);
  }
  return out;
}

/** True when `inner` (`a/p`) lies inside `outer` (same family, not longer prefix). */
function cidrInside(inner: string, outer: string): boolean {
  const [ia = '', ip = '0'] = inner.split('/');
  const [oa = '', op = '0'] = outer.split('/');
  if (isIpv6(ia) !== isIpv6(oa) || Number(op) > Number(ip)) return false;
  return networkAddress(ia, Number(op)) === oa;
}

/**
 * The map keys of a network in one dispatching chain: its bridge, or for `guest_nat` its
 * masqueraded subnets. A subnet inside another subnet of the same network is left out: both jump
 * to the same chain, and an interval map refuses overlapping elements.
 */
export function nftDispatchKeys(rules: FirewallRules, chain: string, chainRules: readonly FirewallRule[]): string[] {
  if (chain !== 'guest_nat') return [`"${rules.bridge}"`];
  const subnets: string[] = [];
  for (const r of chainRules) {
    for (const m of r.matches) if (m.kind === 'source' && !m.negate && !subnets.includes(m.cidr)) subnets.push(m.cidr);
  }
  return subnets.filter((s) => !subnets.some((o) => o !== s && cidrInside(s, o)));
}

function baseSetup(fam: 'ip' | 'ip6', networkChains: readonly string[]): string[] {
  const t = `${fam} ${NFT_TABLE}`;
  const lines = [`add table ${t}`];
  for (const c of NFT_BASE_CHAINS) lines.push(c.spec === undefined ? `add chain ${t} ${c.name}` : `add chain ${t} ${c.name} ${c.spec}`);
  for (const c of networkChains) lines.push(`add chain ${t} ${c}`);
  for (const chain of DISPATCH_CHAINS) {
    const d = DISPATCH[chain];
    lines.push(`add map ${t} ${nftDispatchMapName(chain)} { type ${d.type(fam)} : verdict;${d.interval ? ' flags interval;' : ''} }`);
  }
  return lines;
}

function familyScript(rules: FirewallRules, family: FirewallFamily, mode: 'add' | 'remove'): string[] {
  const fam = nftFamily(family);
  const t = `${fam} ${NFT_TABLE}`;
  const chains = nftNetworkChains(rules, family);
  const ownChains = [...chains.keys()].map((c) => nftNetworkChainName(c, rules.bridge));
  const lines = baseSetup(fam, ownChains);
  if (mode === 'add') {
    lines.push(`flush chain ${t} forward`);
    // libvirt inserts each jump at the top; appending in reverse gives the same order.
    for (const c of [...NFT_BASE_CHAINS].reverse()) if (c.parent !== undefined) lines.push(`add rule ${t} ${c.parent} counter jump ${c.name}`);
    for (const chain of DISPATCH_CHAINS) {
      lines.push(`flush chain ${t} ${chain}`, `add rule ${t} ${chain} ${nftDispatchRuleText(chain, family)}`);
    }
    for (const [chain, chainRules] of chains) {
      const own = nftNetworkChainName(chain, rules.bridge);
      lines.push(`flush chain ${t} ${own}`);
      for (const rule of chainRules) lines.push(`add rule ${t} ${own} ${nftRuleText(rule)}`);
      const keys = nftDispatchKeys(rules, chain, chainRules);
      lines.push(`add element ${t} ${nftDispatchMapName(chain)} { ${keys.map((k) => `${k} : jump ${own}`).join(', ')} }`);
    }
    return lines;
  }
  for (const [chain, chainRules] of chains) {
    const own = nftNetworkChainName(chain, rules.bridge);
    const keys = nftDispatchKeys(rules, chain, chainRules);
    const map = nftDispatchMapName(chain);
    lines.push(`add element ${t} ${map} { ${keys.map((k) => `${k} : jump ${own}`).join(', ')} }`, `delete element ${t} ${map} { ${keys.join(', ')} }`);
  }
  for (const chain of ownChains) {
    lines.push(`flush chain ${t} ${chain}`, `delete chain ${t} ${chain}`);
  }
  return lines;
}

/**
 * The `nft -f` script adding or removing a network's rules (see the module notes for the layout).
 * Both families are always set up, as libvirt sets up its table for IPv4 and IPv6 together.
 * `''` for a network without a firewall.
 *
 * @example
 * ```ts
 * const script = renderNftScript(firewallRules(net, { bridge: 'virbr0' }), 'add');
 * // run: nft -f - <<< script (argument array ['-f', '-'], script on stdin)
 * ```
 */
export function renderNftScript(rules: FirewallRules, mode: 'add' | 'remove'): string {
  if (rules.rules.length === 0) return '';
  const lines = [...familyScript(rules, 'ipv4', mode), ...familyScript(rules, 'ipv6', mode)];
  return `${lines.join('\n')}\n`;
}
