/**
 * An `nft -f` script adding (or removing) one network's rules in libvirt 11.3's own layout, so a
 * host set up by virtnet lists exactly like one set up by libvirtd's nftables backend: table
 * `libvirt_network` in the `ip` and `ip6` families, base chains `forward` (filter hook, jumping
 * to `guest_cross`, `guest_input`, `guest_output`) and `guest_nat` (nat hook postrouting), and
 * every network's rules flat in those chains, each inserted at the top as libvirt inserts them.
 *
 * One script is one nft transaction: it applies whole or not at all.
 * - add: `add table` / `add chain` for the base chains (no-ops when they exist); the `forward`
 *   jumps are re-created (flush + insert) unless the listing shows them already; then the
 *   network's rules as `insert rule …`. With the current listing (`nft -a list …`, parsed by
 *   {@link parseNftListing}) a chain that already holds all of the network's rules in libvirt's
 *   order gets nothing (re-apply adds nothing), and a chain holding only some (half applied,
 *   duplicated) gets `delete rule … handle N` for those and all of them inserted again. Without a
 *   listing every rule is inserted (the caller knows the network is not up).
 * - remove: `delete rule … handle N` for each listed rule of the network's chains whose text is
 *   one of the network's rules. That needs the listing; other networks' rules, the table and the
 *   base chains stay, as with libvirt.
 *
 * @module
 */
import { NFT_BASE_CHAINS, NFT_TABLE, nftFamily } from './base.js';
import { expectedNftForwardRules, nftListedText, nftNetworkChains, nftRuleText, nftTableKey, type NftListedRule, type NftListing } from './nft-state.js';
import { nftChainName, rulesOfFamily, type FirewallFamily, type FirewallRules } from './rules.js';

const FAMILIES: readonly FirewallFamily[] = ['ipv4', 'ipv6'];

/**
 * libvirt's table and base chains in one family (`networkSetupPrivateChains`); `add` is
 * idempotent in nft -f. Nothing when the listing shows them all, with `forward`'s jumps.
 */
function baseLines(family: FirewallFamily, current: NftListing | undefined): string[] {
  const t = `${nftFamily(family)} ${NFT_TABLE}`;
  const chains = current?.tables[nftTableKey(family)]?.chains;
  const forward = chains?.['forward']?.map((r) => r.text);
  const jumps = expectedNftForwardRules();
  const jumpsThere = forward !== undefined && forward.length === jumps.length && forward.every((l, i) => l === jumps[i]);
  if (jumpsThere && NFT_BASE_CHAINS.every((c) => chains?.[c.name] !== undefined)) return [];
  const lines = [`add table ${t}`];
  for (const c of NFT_BASE_CHAINS) lines.push(c.spec === undefined ? `add chain ${t} ${c.name}` : `add chain ${t} ${c.name} ${c.spec}`);
  if (jumpsThere) return lines;
  // `forward` holds nothing but libvirt's jumps: re-creating them needs no listing.
  lines.push(`flush chain ${t} forward`);
  for (const c of NFT_BASE_CHAINS) if (c.parent !== undefined) lines.push(`insert rule ${t} ${c.parent} counter jump ${c.name}`);
  return lines;
}

/** The listed rules of a chain that are one of `texts`. */
function ownListed(listed: readonly NftListedRule[], texts: ReadonlySet<string>): NftListedRule[] {
  return listed.filter((r) => texts.has(r.text));
}

function deleteLine(t: string, chain: string, rule: NftListedRule): string {
  if (rule.handle === undefined) throw new Error(`nft listing without handles (use nft -a): ${chain}: ${rule.text}`);
  return `delete rule ${t} ${chain} handle ${rule.handle}`;
}

function familyLines(rules: FirewallRules, family: FirewallFamily, mode: 'add' | 'remove', current: NftListing | undefined): string[] {
  const t = `${nftFamily(family)} ${NFT_TABLE}`;
  const table = current?.tables[nftTableKey(family)];
  const lines: string[] = [];
  const refill = new Set<string>();
  for (const [chain, chainRules] of nftNetworkChains(rules, family)) {
    const expected = chainRules.map(nftListedText);
    const present = ownListed(table?.chains[chain] ?? [], new Set(expected));
    if (mode === 'add' && present.length === expected.length && present.every((r, i) => r.text === expected[i])) continue;
    for (const r of present) lines.push(deleteLine(t, chain, r));
    refill.add(chain);
  }
  if (mode === 'remove') return lines;
  // Inserted in libvirt's emission order, each at the top of its chain, as libvirt does.
  for (const rule of rulesOfFamily(rules, family)) {
    const chain = nftChainName(rule.table, rule.chain);
    if (chain !== undefined && refill.has(chain)) lines.push(`insert rule ${t} ${chain} ${nftRuleText(rule)}`);
  }
  return lines;
}

/**
 * The `nft -f` script adding or removing a network's rules (see the module notes). `''` when
 * there is nothing to do: a network without a firewall, a removal that finds none of its rules.
 * Adding sets up libvirt's table and base chains in both families, as libvirt does.
 *
 * @example
 * ```ts
 * const fw = firewallRules(net, { bridge: 'virbr0' });
 * await run('nft', ['-f', '-'], renderNftScript(fw, 'add'));
 * const listing = parseNftListing(await run('nft', ['-a', 'list', 'ruleset']));
 * renderNftScript(fw, 'add', listing); // only the base set-up: nothing to insert
 * await run('nft', ['-f', '-'], renderNftScript(fw, 'remove', listing)); // delete rule … handle N
 * ```
 */
export function renderNftScript(rules: FirewallRules, mode: 'add', current?: NftListing): string;
export function renderNftScript(rules: FirewallRules, mode: 'remove', current: NftListing): string;
export function renderNftScript(rules: FirewallRules, mode: 'add' | 'remove', current?: NftListing): string {
  if (rules.rules.length === 0) return '';
  const own = FAMILIES.flatMap((f) => familyLines(rules, f, mode, current));
  const lines = mode === 'add' ? [...FAMILIES.flatMap((f) => baseLines(f, current)), ...own] : own;
  if (lines.length === 0) return '';
  return `${lines.join('\n')}\n`;
}
