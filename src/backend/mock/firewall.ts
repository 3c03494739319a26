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
 * nftables rules get handles, as the kernel hands them out: the undo of an add carries them
 * (`firewall.remove` `handles`, emission order), and a removal with handles deletes exactly those
 * rules, falling back to finding the rules by text when a handle is gone, as the Linux backend
 * does. A handle that exists but names a rule with other text fails loudly (`EHANDLE`): on a real
 * host it would delete another rule, so a wrong handle mapping must not pass a test.
 *
 * @module
 */
import { NFT_TABLE, nftFamily } from '../../compile/firewall/base.js';
import { iptablesSaveLine } from '../../compile/firewall/iptables-syntax.js';
import { nftHandlesFit } from '../../compile/firewall/nft-handles.js';
import { nftListedText } from '../../compile/firewall/nft-state.js';
import { iptablesChainName, nftChainName, type FirewallRule, type FirewallRules } from '../../compile/firewall/rules.js';
import type { AddFirewallOp, FirewallBackendName, Operation, RemoveFirewallOp } from '../../compile/plan.js';
import { fail, type MockFirewallRule, type MockHostData } from './state.js';

/** Where a rule goes and its text, for one backend; undefined when that backend has no such rule. */
export interface PlacedRule {
  chain: string;
  text: string;
  family: 'ipv4' | 'ipv6';
}

/** Place one rule for a backend, with the text iptables-save / `nft list` would show for it, in libvirt's flat chains. */
export function placeRule(rule: FirewallRule, backend: FirewallBackendName): PlacedRule | undefined {
  if (backend === 'iptables') {
    return { family: rule.family, chain: `${rule.family} ${rule.table} ${iptablesChainName(rule.chain)}`, text: iptablesSaveLine(rule) };
  }
  const chain = nftChainName(rule.table, rule.chain);
  if (chain === undefined) return undefined;
  return { family: rule.family, chain: `${nftFamily(rule.family)} ${NFT_TABLE} ${chain}`, text: nftListedText(rule) };
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
 * The processes the Linux backend spawns for this operation: iptables, one restore per family
 * that has rules (not counted: the `iptables-save` per family when nothing is known of libvirt's
 * chains yet); nftables, one `nft -f` for all families, plus one `tc` for the checksum filter
 * when adding, or, when removing without handles, the `nft -a list ruleset` that finds them (not
 * counted: the failed attempt and the listing when recorded handles turn out to be gone).
 */
export function firewallProcessCount(op: AddFirewallOp | RemoveFirewallOp): number {
  const placed = placeRules(op.rules, op.backend);
  if (op.backend === 'iptables') return new Set(placed.map((p) => p.family)).size;
  if (placed.length === 0) return 0;
  if (op.kind === 'firewall.add') return 1 + (op.rules.tcChecksum ? 1 : 0);
  return op.handles !== undefined && nftHandlesFit(op.rules, op.handles) ? 1 : 2;
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
  const undo: RemoveFirewallOp = { kind: 'firewall.remove', backend: op.backend, network: op.network, bridge: op.bridge, rules: op.rules };
  if (op.backend === 'nftables') undo.handles = [];
  for (const p of placed) {
    let list = chains.get(p.chain);
    if (!list) chains.set(p.chain, (list = []));
    const rule: MockFirewallRule = { chain: p.chain, text: p.text, network: op.network };
    if (undo.handles) undo.handles.push((rule.handle = data.nextNftHandle++));
    list.unshift(rule);
  }
  if (op.backend === 'nftables' && op.rules.tcChecksum) {
    data.tcFilters.push({ dev: op.rules.tcChecksum.dev, port: op.rules.tcChecksum.port, network: op.network });
  }
  return [undo];
}

/**
 * The rules a removal with handles deletes (`delete rule … handle N`, one transaction): one per
 * placed rule, found by handle in its chain; undefined when a handle is gone (nft fails and
 * deletes nothing). A handle naming a rule with other text fails with `EHANDLE`.
 */
function rulesByHandle(data: MockHostData, op: RemoveFirewallOp, placed: readonly PlacedRule[], handles: readonly number[]): MockFirewallRule[] | undefined {
  const found: MockFirewallRule[] = [];
  for (let i = 0; i < placed.length; i++) {
    const p = placed[i]!;
    const rule = data.firewall.nftables.get(p.chain)?.find((r) => r.handle === handles[i]);
    if (!rule) return undefined;
    if (rule.text !== p.text) fail('EHANDLE', `nft: handle ${handles[i]} in ${p.chain} is '${rule.text}', not '${p.text}' (the rule of network ${op.network} it should be)`, op);
    found.push(rule);
  }
  return found;
}

/** `firewall.remove`: every rule must be there (else nothing is removed), as iptables `-D` / nft `delete rule`. */
export function removeFirewall(data: MockHostData, op: RemoveFirewallOp): Operation[] {
  const chains = data.firewall[op.backend];
  const placed = placeRules(op.rules, op.backend);
  const byHandle = op.backend === 'nftables' && op.handles !== undefined && nftHandlesFit(op.rules, op.handles) ? rulesByHandle(data, op, placed, op.handles) : undefined;
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
  for (const [i, p] of placed.entries()) {
    const list = chains.get(p.chain)!;
    list.splice(byHandle ? list.indexOf(byHandle[i]!) : list.findIndex((r) => r.text === p.text), 1);
    if (list.length === 0) chains.delete(p.chain);
  }
  if (tcIndex >= 0) data.tcFilters.splice(tcIndex, 1);
  return [{ kind: 'firewall.add', backend: op.backend, network: op.network, bridge: op.bridge, rules: op.rules }];
}
