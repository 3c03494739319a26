/**
 * libvirt's firewall removal recipe (`virFirewallNewFromRollback`): what libvirt 11.3 stores in a
 * running network's status XML (`<firewall backend=…><group ignoreErrors='yes'><action layer=…>
 * <args><item>…`) and runs to take the rules down again, also after a backend change.
 *
 * @module
 */
import type { FirewallBackendName } from '../plan.js';
import { NFT_TABLE, nftFamily } from './base.js';
import { iptablesRuleArgs, tcChecksumCommands } from './libvirt-commands.js';
import { nftChainName, type FirewallRules } from './rules.js';

/** One stored command: the layer picks the binary (iptables, ip6tables or nft; tc). */
export interface RecipeAction {
  layer: 'ipv4' | 'ipv6' | 'tc';
  /** Arguments without the binary and without iptables' `-w` (added when run). */
  args: string[];
}

/** A group of the recipe; libvirt flags every removal group ignore-errors. */
export interface RecipeGroup {
  ignoreErrors: true;
  actions: RecipeAction[];
}

/**
 * The removal recipe libvirt records after adding `rules` with `backend`: the rollback commands,
 * groups in reverse order and each group's commands in reverse. iptables: `--insert` becomes
 * `--delete`, the CHECKSUM transaction first. nftables: `delete rule … handle N` for every
 * inserted rule (`handles[i]` is the handle nft printed for the i-th nft rule, in emission order),
 * then the tc filter's `del`.
 *
 * @example
 * ```ts
 * const recipe = libvirtRemovalRecipe(fw, 'nftables', handles);
 * recipe[0]?.actions.at(-1); // { layer: 'tc', args: ['filter', 'del', 'dev', 'virbr0', …] }
 * ```
 */
export function libvirtRemovalRecipe(rules: FirewallRules, backend: FirewallBackendName, handles: readonly number[] = []): RecipeGroup[] {
  if (rules.rules.length === 0) return [];
  if (backend === 'iptables') {
    const groups: RecipeGroup[] = [];
    for (const ignorable of [false, true]) {
      const actions = rules.rules
        .filter((r) => (r.ignoreErrors === true) === ignorable)
        .map((r): RecipeAction => ({ layer: r.family, args: iptablesRuleArgs(r, '--delete').slice(1) }));
      if (actions.length > 0) groups.push({ ignoreErrors: true, actions: actions.reverse() });
    }
    return groups.reverse();
  }
  const actions: RecipeAction[] = [];
  if (rules.tcChecksum !== undefined) actions.push({ layer: 'tc', args: tcChecksumCommands(rules.tcChecksum.dev, rules.tcChecksum.port).delFilter });
  let n = 0;
  for (const rule of rules.rules) {
    const chain = nftChainName(rule.table, rule.chain);
    if (chain === undefined) continue;
    const handle = handles[n++];
    if (handle === undefined) throw new RangeError(`no nft handle for rule ${n} of the network`);
    actions.push({ layer: rule.family, args: ['delete', 'rule', nftFamily(rule.family), NFT_TABLE, chain, 'handle', String(handle)] });
  }
  return [{ ignoreErrors: true, actions: actions.reverse() }];
}
