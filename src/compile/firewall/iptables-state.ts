/**
 * Reading `iptables-save` output and computing what it should show for a network: the backend
 * uses these to check host state against the plan, and {@link renderIptablesRestore} uses the
 * parsed state to make its input idempotent.
 *
 * @module
 */
import { IPTABLES_BASE_CHAINS } from './base.js';
import { iptablesSaveLine } from './iptables-syntax.js';
import { iptablesChainName, rulesOfFamily, type FirewallFamily, type FirewallRules, type FirewallTable } from './rules.js';

/** One table of an `iptables-save` dump. */
export interface IptablesTableState {
  /** Every chain declared (`:NAME POLICY [p:b]`), built-in and user, in dump order. */
  chains: string[];
  /** The `-A CHAIN …` lines in dump order, without counters. */
  rules: string[];
}

/** An `iptables-save` / `ip6tables-save` dump, by table name. */
export interface IptablesSaveState {
  tables: Record<string, IptablesTableState>;
}

/**
 * Parse `iptables-save` output (also with `-c` counters). Comments, `COMMIT` and blank lines are
 * skipped; rule lines are kept verbatim apart from a leading `[p:b]` counter.
 *
 * @example
 * ```ts
 * const state = parseIptablesSave('*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j LIBVIRT_PRT\nCOMMIT\n');
 * state.tables.nat?.rules; // ['-A POSTROUTING -j LIBVIRT_PRT']
 * ```
 */
export function parseIptablesSave(text: string): IptablesSaveState {
  const tables: Record<string, IptablesTableState> = {};
  let current: IptablesTableState | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      const name = line.slice(1);
      current = tables[name] ?? { chains: [], rules: [] };
      tables[name] = current;
    } else if (line.startsWith(':') && current) {
      current.chains.push(line.slice(1).split(' ')[0] ?? '');
    } else if (current) {
      const rule = line.replace(/^\[\d+:\d+\]\s+/, '');
      if (rule.startsWith('-A ')) current.rules.push(rule);
    }
  }
  return { tables };
}

/** The chain a `-A CHAIN …` line belongs to. */
export function chainOfLine(line: string): string {
  return line.split(' ')[1] ?? '';
}

/** Built-in chains of each table, in the order iptables-nft-save prints them. */
const BUILTIN_CHAINS: Record<FirewallTable, readonly string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
};

/** The tables virtnet writes to, in restore order. */
export const IPTABLES_TABLES: readonly FirewallTable[] = ['filter', 'nat', 'mangle'];

/** `-A PARENT -j LIBVIRT_X` lines of the global set-up of one table, as they end up ordered. */
export function baseJumpLines(table: FirewallTable): string[] {
  // Inserted at the top one after the other, so each parent lists them in reverse.
  return IPTABLES_BASE_CHAINS.filter((c) => c.table === table)
    .reverse()
    .map((c) => `-A ${c.parent} -j ${c.chain}`);
}

/** The network's lines of one table, grouped by chain as iptables-save prints them. */
export function networkLines(rules: FirewallRules, family: FirewallFamily, table: FirewallTable): string[] {
  const own = rulesOfFamily(rules, family).filter((r) => r.table === table);
  const chains = [...new Set(own.map((r) => iptablesChainName(r.chain)))].sort();
  const out: string[] = [];
  for (const chain of chains) {
    // libvirt inserts every rule at the top: the chain holds them in reverse emission order.
    const lines = own.filter((r) => iptablesChainName(r.chain) === chain).map(iptablesSaveLine);
    out.push(...lines.reverse());
  }
  return out;
}

/**
 * The `-A` lines `iptables-save` (or `ip6tables-save`) shows for a network, per table, in dump
 * order: with `includeBase`, also the jumps of the global set-up, i.e. the whole dump of a host
 * where this is the only network. Tables without lines are absent; a network without a firewall
 * gives `{}`.
 *
 * @example
 * ```ts
 * expectedIptablesSaveLines(fw, 'ipv4').nat;
 * // ['-A LIBVIRT_PRT -s 192.168.122.0/24 -d 224.0.0.0/24 -j RETURN', …]
 * ```
 */
export function expectedIptablesSaveLines(
  rules: FirewallRules,
  family: FirewallFamily,
  options: { includeBase?: boolean } = {},
): Partial<Record<FirewallTable, string[]>> {
  const out: Partial<Record<FirewallTable, string[]>> = {};
  if (rules.rules.length === 0) return out;
  for (const table of IPTABLES_TABLES) {
    const lines: string[] = [];
    if (options.includeBase === true) {
      const jumps = baseJumpLines(table);
      for (const parent of BUILTIN_CHAINS[table]) lines.push(...jumps.filter((l) => chainOfLine(l) === parent));
    }
    lines.push(...networkLines(rules, family, table));
    if (lines.length > 0) out[table] = lines;
  }
  return out;
}
