/**
 * The firewall of the in-memory host: iptables rule lists per family, table and chain, and the
 * nftables `libvirt_network` table per family, plus the tc checksum filter the nftables backend
 * adds. Each `firewall.add` / `firewall.remove` is atomic (one iptables-restore or nft -f per
 * family either applies whole or not at all). Rules are inserted at the top of their chain, as
 * libvirt inserts them.
 *
 * The mock does not model chain existence: a chain is its list of rules, and libvirt's private
 * chains (created once, never deleted) do not show once empty.
 *
 * @module
 */
import { iptablesChainName, nftChainName, type FirewallMatch, type FirewallRule, type FirewallRules } from '../../compile/firewall/rules.js';
import type { AddFirewallOp, FirewallBackendName, Operation, RemoveFirewallOp } from '../../compile/plan.js';
import { fail, type MockHostData } from './state.js';

/** Where a rule goes and its text, for one backend; undefined when that backend has no such rule. */
export interface PlacedRule {
  chain: string;
  text: string;
  family: 'ipv4' | 'ipv6';
}

function iptablesMatch(m: FirewallMatch): string {
  switch (m.kind) {
    case 'in-interface':
      return `-i ${m.name}`;
    case 'out-interface':
      return `-o ${m.name}`;
    case 'protocol':
      return `-p ${m.protocol}`;
    case 'destination-port':
      return `--dport ${m.port}`;
    case 'source':
      return `${m.negate ? '! ' : ''}-s ${m.cidr}`;
    case 'destination':
      return `${m.negate ? '! ' : ''}-d ${m.cidr}`;
    case 'conntrack':
      return `-m conntrack --ctstate ${m.states.join(',')}`;
  }
}

function nftMatch(m: FirewallMatch, family: string): string {
  switch (m.kind) {
    case 'in-interface':
      return `${m.role === 'bridge' ? 'iif' : 'iifname'} ${m.name}`;
    case 'out-interface':
      return `${m.role === 'bridge' ? 'oif' : 'oifname'} ${m.name}`;
    case 'protocol':
      return `meta l4proto ${m.protocol}`;
    case 'destination-port':
      return `th dport ${m.port}`;
    case 'source':
      return `${family} saddr ${m.negate ? '!= ' : ''}${m.cidr}`;
    case 'destination':
      return `${family} daddr ${m.negate ? '!= ' : ''}${m.cidr}`;
    case 'conntrack':
      return `ct state ${m.states.map((s) => s.toLowerCase()).join(',')}`;
  }
}

function portsText(p: { start: number; end: number }): string {
  return `${p.start}-${p.end}`;
}

/** Place one rule for a backend. */
export function placeRule(rule: FirewallRule, backend: FirewallBackendName): PlacedRule | undefined {
  const a = rule.action;
  if (backend === 'iptables') {
    let target: string = `-j ${a.kind}`;
    if (a.kind === 'MASQUERADE' && a.toPorts) target += ` --to-ports ${portsText(a.toPorts)}`;
    if (a.kind === 'SNAT') target += ` --to-source ${a.from}${a.to ? `-${a.to}` : ''}${a.toPorts ? `:${portsText(a.toPorts)}` : ''}`;
    if (a.kind === 'CHECKSUM') target += ' --checksum-fill';
    const chain = iptablesChainName(rule.chain);
    return { family: rule.family, chain: `${rule.family} ${rule.table} ${chain}`, text: [`-A ${chain}`, ...rule.matches.map(iptablesMatch), target].join(' ') };
  }
  const nftChain = nftChainName(rule.table, rule.chain);
  if (nftChain === undefined || a.kind === 'CHECKSUM') return undefined;
  const family = rule.family === 'ipv4' ? 'ip' : 'ip6';
  let verdict: string;
  switch (a.kind) {
    case 'MASQUERADE':
      verdict = `masquerade${a.toPorts ? ` to :${portsText(a.toPorts)}` : ''}`;
      break;
    case 'SNAT':
      verdict = `snat to ${a.from}${a.to ? `-${a.to}` : ''}${a.toPorts ? `:${portsText(a.toPorts)}` : ''}`;
      break;
    default:
      verdict = a.kind.toLowerCase();
  }
  return {
    family: rule.family,
    chain: `${family} libvirt_network ${nftChain}`,
    text: [...rule.matches.map((m) => nftMatch(m, family)), 'counter', verdict].join(' '),
  };
}

/** The rules a backend installs for a rule set, in emission order. */
export function placeRules(rules: FirewallRules, backend: FirewallBackendName): PlacedRule[] {
  const placed: PlacedRule[] = [];
  for (const rule of rules.rules) {
    const p = placeRule(rule, backend);
    if (p) placed.push(p);
  }
  return placed;
}

/**
 * The processes the Linux backend spawns for this operation: one restore (iptables) or `nft -f`
 * per family that has rules, plus one `tc` for the nftables checksum filter.
 */
export function firewallProcessCount(op: AddFirewallOp | RemoveFirewallOp): number {
  const families = new Set(placeRules(op.rules, op.backend).map((p) => p.family));
  return families.size + (op.backend === 'nftables' && op.rules.tcChecksum ? 1 : 0);
}

function commandName(backend: FirewallBackendName, family: 'ipv4' | 'ipv6'): string {
  return backend === 'nftables' ? 'nft' : family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore';
}

/** `firewall.add`: refuses (atomically) a rule that is already installed, and nft bridge matches on a missing bridge. */
export function addFirewall(data: MockHostData, op: AddFirewallOp): Operation[] {
  const chains = data.firewall[op.backend];
  const placed = placeRules(op.rules, op.backend);
  for (const p of placed) {
    if (chains.get(p.chain)?.some((r) => r.text === p.text)) {
      fail('EEXIST', `${commandName(op.backend, p.family)}: duplicate rule in ${p.chain}: ${p.text}`, op);
    }
  }
  if (op.backend === 'nftables') {
    for (const rule of op.rules.rules) {
      for (const m of rule.matches) {
        if ((m.kind === 'in-interface' || m.kind === 'out-interface') && m.role === 'bridge' && !data.links.has(m.name)) {
          fail('ECOMMAND', `nft: Error: Interface does not exist: ${m.name}`, op);
        }
      }
    }
    if (op.rules.tcChecksum && !data.links.has(op.rules.tcChecksum.dev)) {
      fail('ECOMMAND', `tc: Cannot find device "${op.rules.tcChecksum.dev}"`, op);
    }
  }
  for (const p of placed) {
    let list = chains.get(p.chain);
    if (!list) chains.set(p.chain, (list = []));
    list.unshift({ chain: p.chain, text: p.text, network: op.network });
  }
  if (op.backend === 'nftables' && op.rules.tcChecksum) {
    data.tcFilters.push({ dev: op.rules.tcChecksum.dev, port: op.rules.tcChecksum.port, network: op.network });
  }
  return [{ kind: 'firewall.remove', backend: op.backend, network: op.network, bridge: op.bridge, rules: op.rules }];
}

/** `firewall.remove`: every rule must be there (else nothing is removed), as iptables `-D` / nft `delete rule`. */
export function removeFirewall(data: MockHostData, op: RemoveFirewallOp): Operation[] {
  const chains = data.firewall[op.backend];
  const placed = placeRules(op.rules, op.backend);
  // Count what is needed per chain and text, so a rule listed twice needs two copies.
  const needed = new Map<string, number>();
  for (const p of placed) needed.set(`${p.chain}\n${p.text}`, (needed.get(`${p.chain}\n${p.text}`) ?? 0) + 1);
  for (const [key, count] of needed) {
    const [chain, text] = key.split('\n') as [string, string];
    const have = chains.get(chain)?.filter((r) => r.text === text).length ?? 0;
    if (have < count) {
      const family = placed.find((p) => p.chain === chain)!.family;
      fail('ECOMMAND', `${commandName(op.backend, family)}: Bad rule (does a matching rule exist in that chain?): ${chain}: ${text}`, op);
    }
  }
  const tc = op.backend === 'nftables' ? op.rules.tcChecksum : undefined;
  const tcIndex = tc ? data.tcFilters.findIndex((f) => f.dev === tc.dev && f.port === tc.port) : -1;
  if (tc && tcIndex < 0) fail('ECOMMAND', `tc: no checksum filter on ${tc.dev}`, op);
  for (const p of placed) {
    const list = chains.get(p.chain)!;
    list.splice(list.findIndex((r) => r.text === p.text), 1);
    if (list.length === 0) chains.delete(p.chain);
  }
  if (tcIndex >= 0) data.tcFilters.splice(tcIndex, 1);
  return [{ kind: 'firewall.add', backend: op.backend, network: op.network, bridge: op.bridge, rules: op.rules }];
}
