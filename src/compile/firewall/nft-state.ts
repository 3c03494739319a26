/**
 * Reading `nft list ruleset` output and computing what it should show for a network installed
 * with {@link renderNftScript}, so the backend can compare host state with the plan.
 *
 * @module
 */
import { NFT_TABLE, nftFamily } from './base.js';
import {
  DISPATCH_CHAINS,
  nftDispatchKeys,
  nftDispatchMapName,
  nftDispatchRuleText,
  nftNetworkChainName,
  nftNetworkChains,
  nftRuleText,
} from './nft-script.js';
import type { FirewallFamily, FirewallRules } from './rules.js';

/** One table of an `nft list ruleset` dump. */
export interface NftTableState {
  /** Rule lines per chain (hook/policy lines excluded), with `counter packets N bytes M` as `counter`. */
  chains: Record<string, string[]>;
  /** Elements per map, as listed (`"virbr0" : jump guest_output_virbr0`). */
  maps: Record<string, string[]>;
}

/** An `nft list ruleset` dump, by `"<family> <table>"` (`ip libvirt_network`). */
export interface NftRulesetState {
  tables: Record<string, NftTableState>;
}

/** Strip counter values so dumps taken at different times compare equal. */
export function normalizeNftRule(line: string): string {
  return line.trim().replace(/counter packets \d+ bytes \d+/g, 'counter');
}

/**
 * Parse the text of `nft list ruleset` (or `nft list table …`).
 *
 * @example
 * ```ts
 * const state = parseNftRuleset(await run('nft', ['list', 'ruleset']));
 * state.tables['ip libvirt_network']?.chains['guest_cross_virbr0'];
 * ```
 */
export function parseNftRuleset(text: string): NftRulesetState {
  const tables: Record<string, NftTableState> = {};
  let table: NftTableState | undefined;
  let chain: string[] | undefined;
  let map: string[] | undefined;
  let elements: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (elements !== undefined) {
      elements += ` ${line}`;
    } else if (line.startsWith('table ') && line.endsWith('{')) {
      const key = line.slice(6, -1).trim();
      table = tables[key] ?? { chains: {}, maps: {} };
      tables[key] = table;
    } else if (table && (line.startsWith('chain ') || line.startsWith('map ') || line.startsWith('set ')) && line.endsWith('{')) {
      const [kind, name = ''] = line.split(/\s+/);
      if (kind === 'chain') {
        chain = [];
        table.chains[name] = chain;
      } else {
        map = [];
        table.maps[name] = map;
      }
    } else if (line === '}') {
      if (chain !== undefined || map !== undefined) {
        chain = undefined;
        map = undefined;
      } else table = undefined;
    } else if (map !== undefined && line.startsWith('elements = {')) {
      elements = line.slice('elements = {'.length);
    } else if (chain !== undefined && !/^(type|policy) /.test(line)) {
      chain.push(normalizeNftRule(line));
    }
    if (elements !== undefined && elements.trimEnd().endsWith('}')) {
      const body = elements.trimEnd().slice(0, -1);
      map?.push(...body.split(',').map((e) => e.trim()).filter(Boolean));
      elements = undefined;
    }
  }
  return { tables };
}

/** How nft lists a rule virtnet wrote: host prefixes without `/32`/`/128`, ct states in its order. */
function listedForm(text: string): string {
  return text
    .replace(/(\d+\.\d+\.\d+\.\d+)\/32\b/g, '$1')
    .replace(/([0-9a-f:]+:[0-9a-f:]*)\/128\b/g, '$1')
    .replace('ct state related,established', 'ct state established,related');
}

/** What `nft list ruleset` shows of one network in one family. */
export interface NftExpectedFamily {
  /** `ip libvirt_network` or `ip6 libvirt_network`. */
  table: string;
  /** The network's own chains and their rules, as listed (counters as bare `counter`). */
  chains: Record<string, string[]>;
  /** The network's elements of each dispatch map, as listed. */
  elements: Record<string, string[]>;
}

/**
 * The chains and dispatch-map elements `nft list ruleset` shows for a network installed with
 * `renderNftScript(rules, 'add')`, per family. Families without rules are absent.
 *
 * @example
 * ```ts
 * const [ip] = expectedNftRules(fw);
 * ip?.chains['guest_cross_virbr0']; // ['iif "virbr0" oif "virbr0" counter accept']
 * ```
 */
export function expectedNftRules(rules: FirewallRules): NftExpectedFamily[] {
  const out: NftExpectedFamily[] = [];
  for (const family of ['ipv4', 'ipv6'] as FirewallFamily[]) {
    const chains = nftNetworkChains(rules, family);
    if (chains.size === 0) continue;
    const entry: NftExpectedFamily = { table: `${nftFamily(family)} ${NFT_TABLE}`, chains: {}, elements: {} };
    for (const [chain, chainRules] of chains) {
      const own = nftNetworkChainName(chain, rules.bridge);
      entry.chains[own] = chainRules.map((r) => listedForm(nftRuleText(r)));
      entry.elements[nftDispatchMapName(chain)] = nftDispatchKeys(rules, chain, chainRules).map((k) => `${k} : jump ${own}`);
    }
    out.push(entry);
  }
  return out;
}

/**
 * The rules `nft list ruleset` shows in the shared chains of one family once any network was
 * installed with {@link renderNftScript}: libvirt's three jumps in `forward`, one dispatch rule in
 * each `guest_*` chain. Keyed by chain name, like {@link NftTableState.chains}.
 *
 * @example
 * ```ts
 * expectedNftBaseRules('ipv4').forward; // ['counter jump guest_cross', 'counter jump guest_input', 'counter jump guest_output']
 * ```
 */
export function expectedNftBaseRules(family: FirewallFamily): Record<string, string[]> {
  const out: Record<string, string[]> = { forward: ['guest_cross', 'guest_input', 'guest_output'].map((c) => `counter jump ${c}`) };
  for (const chain of DISPATCH_CHAINS) out[chain] = [nftDispatchRuleText(chain, family)];
  return out;
}
