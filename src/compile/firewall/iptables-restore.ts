/**
 * iptables-restore input for one family of a network's rules, applied in one process and
 * atomically (`iptables-restore -w --noflush`; `ip6tables-restore` for IPv6).
 *
 * Idempotence is check-first: the backend passes the parsed `iptables-save` dump of the same
 * family ({@link parseIptablesSave}) and the input is computed against it:
 * - a missing LIBVIRT_* chain is created with `-N CHAIN`, never declared with `:CHAIN - [0:0]`:
 *   with `--noflush` a declaration silently flushes an existing chain (and with it every other
 *   network's rules), while `-N` fails the block when the chain exists. So input rendered against
 *   a stale or assumed state fails, atomically, instead of wiping rules;
 * - a jump from a built-in chain is inserted only when missing, in libvirt's order;
 * - when every rule of the network is already there in libvirt's order, nothing is written for it
 *   (re-apply is a no-op); otherwise the copies that are there are deleted and the whole set is
 *   inserted again in the same input, so a half-applied state is repaired in one transaction;
 * - removal deletes each of the network's rules as many times as the dump shows it, and nothing
 *   else (the global chains stay, as with libvirt).
 * Without a dump the input assumes the global chains and jumps exist (it never declares a chain
 * blind), adds every rule, and removal deletes each rule once; a missing rule then fails the input.
 * A caller may also pass a partial dump it keeps itself (the LIBVIRT_* chains and jumps it knows
 * exist, no rules): then only missing chains and jumps are created and every rule is added.
 *
 * The DHCP CHECKSUM rule, which libvirt applies in its own ignore-errors transaction, comes in its
 * own block after all others (iptables-restore commits block by block), so a caller can ignore
 * that block's failure.
 *
 * @module
 */
import { IPTABLES_BASE_CHAINS } from './base.js';
import { iptablesSaveRuleSpec } from './iptables-syntax.js';
import { IPTABLES_TABLES, networkLines, type IptablesSaveState } from './iptables-state.js';
import { iptablesChainName, rulesOfFamily, type FirewallFamily, type FirewallRule, type FirewallRules, type FirewallTable } from './rules.js';

/** Arguments for `iptables-restore` / `ip6tables-restore` reading the input on stdin. */
export const IPTABLES_RESTORE_ARGS: readonly string[] = ['-w', '--noflush'];

function count(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** True when the dump already holds exactly the expected lines of each chain, in order. */
function alreadyApplied(expected: readonly string[], present: readonly string[]): boolean {
  const wanted = new Set(expected);
  const seen = present.filter((l) => wanted.has(l));
  return seen.length === expected.length && seen.every((l, i) => l === expected[i]);
}

/** One `*table … COMMIT` block of restore input: iptables-restore commits block by block. */
export interface IptablesRestoreBlock {
  table: FirewallTable;
  lines: string[];
  /**
   * The block holds only rules libvirt applies ignoring errors (the DHCP CHECKSUM rule); it comes
   * after every other block, so a caller may ignore its failure as libvirt does.
   */
  ignoreErrors: boolean;
}

/** Base set-up lines of one table: missing LIBVIRT_* chains, then missing jumps, in libvirt's order. */
function baseLines(table: FirewallTable, state: IptablesSaveState['tables'][string] | undefined): string[] {
  const out: string[] = [];
  const chains = new Set(state?.chains ?? []);
  const lines = new Set(state?.rules ?? []);
  for (const c of IPTABLES_BASE_CHAINS) if (c.table === table && !chains.has(c.chain)) out.push(`-N ${c.chain}`);
  for (const c of IPTABLES_BASE_CHAINS) {
    if (c.table === table && !lines.has(`-A ${c.parent} -j ${c.chain}`)) out.push(`-I ${c.parent} -j ${c.chain}`);
  }
  return out;
}

/** Lines for one group of a table's rules (the ordinary ones, or the ignore-errors ones). */
function groupLines(rules: FirewallRules, own: readonly FirewallRule[], family: FirewallFamily, table: FirewallTable, mode: 'add' | 'remove', current: IptablesSaveState | undefined): string[] {
  const presentRules = current?.tables[table]?.rules ?? [];
  const presentCount = count(presentRules);
  const out: string[] = [];
  if (mode === 'remove') {
    // Reverse emission order, as libvirt's removal recipe; each line as often as it is there.
    for (const rule of [...own].reverse()) {
      const spec = iptablesSaveRuleSpec(rule);
      const line = `-A ${iptablesChainName(rule.chain)} ${spec}`;
      const times = current === undefined ? 1 : (presentCount.get(line) ?? 0);
      for (let i = 0; i < times; i++) out.push(`-D ${iptablesChainName(rule.chain)} ${spec}`);
      presentCount.set(line, 0);
    }
    return out;
  }
  if (current !== undefined) {
    const expected = networkLines({ ...rules, rules: [...own] }, family, table);
    if (alreadyApplied(expected, presentRules)) return out;
    for (const line of expected) {
      const times = presentCount.get(line) ?? 0;
      for (let i = 0; i < times; i++) out.push(`-D ${line.slice(3)}`);
      presentCount.set(line, 0);
    }
  }
  // Each -I goes to the top, exactly as libvirt's `--insert`, so the chains end up as libvirt's.
  for (const rule of own) out.push(`-I ${iptablesChainName(rule.chain)} ${iptablesSaveRuleSpec(rule)}`);
  return out;
}

/**
 * The blocks of {@link renderIptablesRestore}'s input, for a caller that must know which block
 * failed (iptables-restore reports `Error occurred at line: N`) and which it may ignore. Empty
 * blocks are left out.
 *
 * @example
 * ```ts
 * iptablesRestoreBlocks(fw, 'ipv4', 'add', parseIptablesSave('')).map((b) => [b.table, b.ignoreErrors]);
 * // [['filter', false], ['nat', false], ['mangle', false], ['mangle', true]]
 * ```
 */
export function iptablesRestoreBlocks(
  rules: FirewallRules,
  family: FirewallFamily,
  mode: 'add' | 'remove',
  current?: IptablesSaveState,
): IptablesRestoreBlock[] {
  if (rules.rules.length === 0) return [];
  const ordinary: IptablesRestoreBlock[] = [];
  const ignorable: IptablesRestoreBlock[] = [];
  for (const table of IPTABLES_TABLES) {
    const own = rulesOfFamily(rules, family).filter((r) => r.table === table);
    // Without a dump the chains and jumps are assumed to exist: a chain is never declared blind.
    const base = mode === 'add' && current !== undefined ? baseLines(table, current.tables[table]) : [];
    const lines = [...base, ...groupLines(rules, own.filter((r) => r.ignoreErrors !== true), family, table, mode, current)];
    if (lines.length > 0) ordinary.push({ table, lines, ignoreErrors: false });
    const last = groupLines(rules, own.filter((r) => r.ignoreErrors === true), family, table, mode, current);
    if (last.length > 0) ignorable.push({ table, lines: last, ignoreErrors: true });
  }
  return [...ordinary, ...ignorable];
}

/** The restore text of blocks: `*table`, the lines, `COMMIT`, each. */
export function iptablesRestoreText(blocks: readonly IptablesRestoreBlock[]): string {
  let text = '';
  for (const b of blocks) text += `*${b.table}\n${b.lines.join('\n')}\nCOMMIT\n`;
  return text;
}

/**
 * iptables-restore input adding (or removing) one family's rules of a network. Pass the parsed
 * `iptables-save` dump of that family as `current` to get idempotent input (see the module notes);
 * the result is `''` when there is nothing to do, and then the caller need not run anything.
 * Rules libvirt applies ignoring errors (CHECKSUM) come in their own last block(s): see
 * {@link iptablesRestoreBlocks}.
 *
 * @example
 * ```ts
 * const dump = parseIptablesSave(await run('iptables-save'));
 * const input = renderIptablesRestore(fw, 'ipv4', 'add', dump);
 * if (input) await run('iptables-restore', IPTABLES_RESTORE_ARGS, input);
 * ```
 */
export function renderIptablesRestore(
  rules: FirewallRules,
  family: FirewallFamily,
  mode: 'add' | 'remove',
  current?: IptablesSaveState,
): string {
  return iptablesRestoreText(iptablesRestoreBlocks(rules, family, mode, current));
}
