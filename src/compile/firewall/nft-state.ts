/**
 * Reading `nft -a list ruleset` (or `nft -a list table …`) output, and what that listing shows of
 * a network installed with {@link renderNftScript}. The renderer uses the parsed listing to make
 * its input idempotent and to find the handles of a network's rules; tests and the backend use
 * the expectations to compare host state with the plan.
 *
 * @module
 */
import { NFT_BASE_CHAINS, NFT_TABLE, nftFamily } from './base.js';
import { nftActionTokens, nftMatchTokens } from './nft-syntax.js';
import { nftChainName, rulesOfFamily, type FirewallFamily, type FirewallRule, type FirewallRules } from './rules.js';

/** One rule line of a listing. */
export interface NftListedRule {
  /** The rule as listed, with `counter packets N bytes M` as `counter` and the handle comment cut off. */
  text: string;
  /** The rule's handle (`# handle N`); undefined when listed without `-a`. */
  handle?: number;
}

/** One table of a listing: the rule lines of each chain (hook/policy lines excluded), in order. */
export interface NftTableListing {
  chains: Record<string, NftListedRule[]>;
}

/** A parsed listing, by `"<family> <table>"` (`ip libvirt_network`). */
export interface NftListing {
  tables: Record<string, NftTableListing>;
}

/** Strip counter values so listings taken at different times compare equal. */
export function normalizeNftRule(line: string): string {
  return line.trim().replace(/counter packets \d+ bytes \d+/g, 'counter');
}

/** How many `{` minus `}` a line holds (sets and maps span lines; anonymous sets do not). */
function braceDelta(line: string): number {
  let d = 0;
  for (const ch of line) d += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  return d;
}

/**
 * Parse the text of `nft -a list ruleset` / `nft -a list table …` (without `-a` the handles are
 * absent). Sets, maps and other objects are skipped.
 *
 * @example
 * ```ts
 * const listing = parseNftListing(await run('nft', ['-a', 'list', 'ruleset']));
 * listing.tables['ip libvirt_network']?.chains['guest_nat']?.[0]; // { text: '… counter masquerade', handle: 12 }
 * ```
 */
export function parseNftListing(text: string): NftListing {
  const tables: Record<string, NftTableListing> = {};
  // What each open brace belongs to.
  const stack: ('table' | 'chain' | 'other')[] = [];
  let table: NftTableListing | undefined;
  let chain: NftListedRule[] | undefined;
  for (const raw of text.split('\n')) {
    const h = /\s# handle (\d+)\s*$/.exec(raw);
    const line = (h ? raw.slice(0, h.index) : raw).trim();
    if (line === '' || line.startsWith('#')) continue;
    const top = stack.at(-1);
    if (top === undefined && line.startsWith('table ') && line.endsWith('{')) {
      const key = line.slice(6, -1).trim();
      table = tables[key] ?? { chains: {} };
      tables[key] = table;
      stack.push('table');
    } else if (top === 'table' && line.startsWith('chain ') && line.endsWith('{')) {
      const name = line.slice(6, -1).trim();
      chain = table!.chains[name] ?? [];
      table!.chains[name] = chain;
      stack.push('chain');
    } else if (line === '}') {
      stack.pop();
    } else if (top === 'chain' && braceDelta(line) === 0) {
      if (/^(type|policy|comment|devices?) /.test(line)) continue;
      chain!.push(h ? { text: normalizeNftRule(line), handle: Number(h[1]) } : { text: normalizeNftRule(line) });
    } else {
      const d = braceDelta(line);
      for (let i = 0; i < d; i++) stack.push('other');
      for (let i = 0; i > d; i--) stack.pop();
    }
  }
  return { tables };
}

/** One rule's text after `insert rule FAMILY TABLE CHAIN`, exactly as libvirt writes it. */
export function nftRuleText(rule: FirewallRule): string {
  return [...nftMatchTokens(rule, 'quoted'), ...nftActionTokens(rule.action)].join(' ');
}

/** How nft lists a rule written as {@link nftRuleText}: host prefixes without `/32`/`/128`, ct states in its order, bare `counter`. */
export function nftListedText(rule: FirewallRule): string {
  return nftRuleText(rule)
    .replace(/(\d+\.\d+\.\d+\.\d+)\/32\b/g, '$1')
    .replace(/([0-9a-f:]+:[0-9a-f:]*)\/128\b/g, '$1')
    .replace('ct state related,established', 'ct state established,related');
}

/** `"ip libvirt_network"` / `"ip6 libvirt_network"`: the key of a family's table in a listing. */
export function nftTableKey(family: FirewallFamily): string {
  return `${nftFamily(family)} ${NFT_TABLE}`;
}

/**
 * The network's rules of one family by libvirt chain (`guest_output`, …), each chain in libvirt's
 * final order (every rule is inserted at the top: reverse emission order). Rules nftables does
 * not have (INP/OUT, CHECKSUM) are left out.
 */
export function nftNetworkChains(rules: FirewallRules, family: FirewallFamily): Map<string, FirewallRule[]> {
  const out = new Map<string, FirewallRule[]>();
  for (const rule of rulesOfFamily(rules, family)) {
    const chain = nftChainName(rule.table, rule.chain);
    if (chain === undefined) continue;
    out.set(chain, [rule, ...(out.get(chain) ?? [])]);
  }
  return out;
}

/** What a listing shows of one network in one family. */
export interface NftExpectedFamily {
  /** `ip libvirt_network` or `ip6 libvirt_network`. */
  table: string;
  /** The network's rules in each of libvirt's chains, as listed (counters as bare `counter`). */
  chains: Record<string, string[]>;
}

/**
 * The rules a listing shows for a network alone in libvirt's chains after
 * `renderNftScript(rules, 'add')`, per family; families without rules are absent. With other
 * networks present, each chain holds these lines as one block (the newest network's on top).
 *
 * @example
 * ```ts
 * const [ip] = expectedNftRules(fw);
 * ip?.chains['guest_cross']; // ['iif "virbr0" oif "virbr0" counter accept']
 * ```
 */
export function expectedNftRules(rules: FirewallRules): NftExpectedFamily[] {
  const out: NftExpectedFamily[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const chains = nftNetworkChains(rules, family);
    if (chains.size === 0) continue;
    const entry: NftExpectedFamily = { table: nftTableKey(family), chains: {} };
    for (const [chain, chainRules] of chains) entry.chains[chain] = chainRules.map(nftListedText);
    out.push(entry);
  }
  return out;
}

/**
 * The rules of libvirt's `forward` chain, as listed: its jumps, inserted at the top in
 * {@link NFT_BASE_CHAINS} order and so listed reversed. The other base chains hold only
 * networks' rules.
 *
 * @example
 * ```ts
 * expectedNftForwardRules(); // ['counter jump guest_cross', 'counter jump guest_input', 'counter jump guest_output']
 * ```
 */
export function expectedNftForwardRules(): string[] {
  return NFT_BASE_CHAINS.filter((c) => c.parent === 'forward')
    .map((c) => `counter jump ${c.name}`)
    .reverse();
}
