/**
 * A network's nft rules by handle, as libvirt 11.3 keeps them: it inserts the rules with
 * `nft -ae insert rule …` (echo, with handles), records each rule's handle and removes the rules
 * later with `delete rule FAMILY libvirt_network CHAIN handle N`, without listing the ruleset
 * (see {@link libvirtRemovalRecipe}). virtnet inserts all of a network's rules with one
 * `nft -a -e -f -`; {@link nftInsertedHandles} reads their handles from its echo and
 * {@link renderNftHandleRemoval} writes the one-transaction removal.
 *
 * What nft 1.0.6 echoes for an inserted rule: the command as it was applied, counters spelled out,
 * the new rule's handle in a trailing comment, and, for a rule inserted above an existing one,
 * that rule's handle as a position right after the chain name:
 *
 * ```text
 * insert rule ip libvirt_network guest_nat handle 16 meta l4proto udp ip saddr 192.168.122.0/24 … counter packets 0 bytes 0 masquerade to :1024-65535 # handle 15
 * ```
 *
 * @module
 */
import { NFT_TABLE, nftFamily } from './base.js';
import { nftListedText, normalizeNftRule } from './nft-state.js';
import { libvirtRemovalRecipe } from './removal-recipe.js';
import { nftChainName, type FirewallRules } from './rules.js';

/** One rule an `nft -a -e` run echoed as added or inserted. */
export interface NftEchoedRule {
  /** `ip`, `ip6`, `inet`, … */
  family: string;
  table: string;
  chain: string;
  /** The rule as `nft list` shows it (counters as bare `counter`, no position, no handle). */
  text: string;
  /** The handle nft gave the new rule. */
  handle: number;
}

const ECHOED_RULE = /^(?:add|insert) rule (\S+) (\S+) (\S+) (?:(?:handle|position|index) \d+ )?(.*?)\s+# handle (\d+)\s*$/;

/**
 * The rules an `nft -a -e -f -` run added or inserted, in the order it applied them; other echoed
 * lines (tables, chains, flushes, deletions, the `# new generation` comment) are skipped.
 *
 * @example
 * ```ts
 * parseNftEcho('insert rule ip libvirt_network guest_cross iif "virbr0" oif "virbr0" counter packets 0 bytes 0 accept # handle 11\n');
 * // [{ family: 'ip', table: 'libvirt_network', chain: 'guest_cross', text: 'iif "virbr0" oif "virbr0" counter accept', handle: 11 }]
 * ```
 */
export function parseNftEcho(text: string): NftEchoedRule[] {
  const out: NftEchoedRule[] = [];
  for (const line of text.split('\n')) {
    const m = ECHOED_RULE.exec(line.trim());
    if (!m) continue;
    out.push({ family: m[1]!, table: m[2]!, chain: m[3]!, text: normalizeNftRule(m[4]!), handle: Number(m[5]) });
  }
  return out;
}

/** How many of a network's rules nftables installs (those with an nft chain), the length of its handle list. */
export function nftRuleCount(rules: FirewallRules): number {
  let n = 0;
  for (const rule of rules.rules) if (nftChainName(rule.table, rule.chain) !== undefined) n++;
  return n;
}

/**
 * The handles of a network's nft rules, read from the echo of the `nft -a -e -f -` that inserted
 * them (`renderNftScript(rules, 'add')`): `handles[i]` belongs to the i-th rule of `rules.rules`
 * that nftables has, in emission order, as {@link libvirtRemovalRecipe} takes them. The echo is
 * matched per family and chain, in order, and each echoed rule's text must be the rule's
 * ({@link nftListedText}); `undefined` when the echo does not show exactly the network's rules
 * (nothing inserted, another nft's output), so a caller never records a handle it cannot vouch for.
 *
 * @example
 * ```ts
 * const r = await run('nft', ['-a', '-e', '-f', '-'], renderNftScript(fw, 'add'));
 * const handles = nftInsertedHandles(fw, r.stdout); // e.g. [9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
 * ```
 */
export function nftInsertedHandles(rules: FirewallRules, echo: string): number[] | undefined {
  const queues = new Map<string, NftEchoedRule[]>();
  for (const e of parseNftEcho(echo)) {
    const key = `${e.family} ${e.table} ${e.chain}`;
    const queue = queues.get(key);
    if (queue) queue.push(e);
    else queues.set(key, [e]);
  }
  const handles: number[] = [];
  const used = new Set<string>();
  for (const rule of rules.rules) {
    const chain = nftChainName(rule.table, rule.chain);
    if (chain === undefined) continue;
    const key = `${nftFamily(rule.family)} ${NFT_TABLE} ${chain}`;
    used.add(key);
    const echoed = queues.get(key)?.shift();
    if (echoed === undefined || echoed.text !== nftListedText(rule)) return undefined;
    handles.push(echoed.handle);
  }
  // Anything else inserted into the network's chains is not accounted for.
  for (const key of used) if ((queues.get(key)?.length ?? 0) > 0) return undefined;
  return handles;
}

/** Whether `handles` can stand for the nft rules of `rules` (one positive integer per rule). */
export function nftHandlesFit(rules: FirewallRules, handles: readonly unknown[]): handles is readonly number[] {
  return handles.length === nftRuleCount(rules) && handles.every((h) => typeof h === 'number' && Number.isSafeInteger(h) && h > 0);
}

/**
 * The `nft -f` script removing a network's rules by the handles nft gave them
 * ({@link nftInsertedHandles}): `delete rule FAMILY libvirt_network CHAIN handle N`, newest rule
 * first, the commands of libvirt's removal recipe without its tc filter. One transaction: when a
 * handle is gone (rules flushed) nothing is deleted and nft fails. `''` for a network without nft
 * rules.
 *
 * @throws RangeError when the handles do not fit the rules ({@link nftHandlesFit}).
 *
 * @example
 * ```ts
 * renderNftHandleRemoval(fw, handles);
 * // 'delete rule ip libvirt_network guest_nat handle 18\n…delete rule ip libvirt_network guest_output handle 9\n'
 * ```
 */
export function renderNftHandleRemoval(rules: FirewallRules, handles: readonly number[]): string {
  const given = handles.length;
  if (!nftHandlesFit(rules, handles)) throw new RangeError(`${given} handles for ${nftRuleCount(rules)} nft rules, or a handle that is not a positive integer`);
  let script = '';
  for (const group of libvirtRemovalRecipe(rules, 'nftables', handles)) {
    for (const action of group.actions) if (action.layer !== 'tc') script += `${action.args.join(' ')}\n`;
  }
  return script;
}
