/**
 * The commands libvirt runs for a network's firewall, as argument arrays, and as the text its test
 * suite prints (`networkxml2firewalltest`: `virCommandToStringBuf` with line breaks and stripped
 * command paths). Byte-identical to libvirt's fixtures.
 *
 * @module
 */
import type { FirewallBackendName } from '../plan.js';
import { IPTABLES_BASE_CHAINS, NFT_BASE_CHAINS, NFT_TABLE, nftFamily } from './base.js';
import { nftActionTokens, nftMatchTokens } from './nft-syntax.js';
import { iptablesChainName, nftChainName, type FirewallRule, type FirewallRules } from './rules.js';

/** One command: the binary's base name and its arguments (never through a shell). */
export interface FirewallCommand {
  binary: 'iptables' | 'ip6tables' | 'nft' | 'tc';
  args: string[];
}

function iptablesBinary(rule: FirewallRule): 'iptables' | 'ip6tables' {
  return rule.family === 'ipv4' ? 'iptables' : 'ip6tables';
}

/**
 * libvirt's iptables arguments of a rule (`-w` first, as `virFirewallCmdIptablesApply` adds it),
 * with `--insert` to add or `--delete` to remove.
 */
export function iptablesRuleArgs(rule: FirewallRule, operation: '--insert' | '--delete'): string[] {
  const args = ['-w', '--table', rule.table, operation, iptablesChainName(rule.chain)];
  // libvirt's masquerade rules spell the protocol `-p`, every other rule `--protocol`.
  const nat = rule.action.kind === 'MASQUERADE' || rule.action.kind === 'SNAT';
  for (const m of rule.matches) {
    switch (m.kind) {
      case 'in-interface':
        args.push('--in-interface', m.name);
        break;
      case 'out-interface':
        args.push('--out-interface', m.name);
        break;
      case 'protocol':
        args.push(nat ? '-p' : '--protocol', m.protocol);
        break;
      case 'destination-port':
        args.push('--destination-port', String(m.port));
        break;
      case 'source':
        args.push(...(m.negate ? ['!'] : []), '--source', m.cidr);
        break;
      case 'destination':
        args.push(...(m.negate ? ['!'] : []), '--destination', m.cidr);
        break;
      case 'conntrack':
        args.push('--match', 'conntrack', '--ctstate', m.states.join(','));
        break;
    }
  }
  const a = rule.action;
  switch (a.kind) {
    case 'ACCEPT':
    case 'REJECT':
    case 'RETURN':
      args.push('--jump', a.kind);
      break;
    case 'MASQUERADE':
      args.push('--jump', 'MASQUERADE');
      if (a.toPorts !== undefined) args.push('--to-ports', `${a.toPorts.start}-${a.toPorts.end}`);
      break;
    case 'SNAT': {
      const range = a.to === undefined ? a.from : `${a.from}-${a.to}`;
      args.push('--jump', 'SNAT', '--to-source', a.toPorts === undefined ? range : `${range}:${a.toPorts.start}-${a.toPorts.end}`);
      break;
    }
    case 'CHECKSUM':
      args.push('--jump', 'CHECKSUM', '--checksum-fill');
      break;
  }
  return args;
}

/** libvirt's `nft` arguments inserting a rule (`-ae` makes nft print the new rule's handle). */
export function nftRuleArgs(rule: FirewallRule): string[] | undefined {
  const chain = nftChainName(rule.table, rule.chain);
  if (chain === undefined) return undefined;
  return ['-ae', 'insert', 'rule', nftFamily(rule.family), NFT_TABLE, chain, ...nftMatchTokens(rule, 'bare'), ...nftActionTokens(rule.action)];
}

/**
 * The tc commands of the nftables backend's DHCP checksum fix: look for the root qdisc, add it
 * (libvirt adds it when `show` prints no `qdisc … 1: `), add the csum filter; `del` is the
 * filter's rollback. The kernel drops all of them with the bridge.
 */
export function tcChecksumCommands(dev: string, port: number): { show: string[]; addQdisc: string[]; addFilter: string[]; delFilter: string[] } {
  const filter = ['dev', dev, 'prio', '2', 'protocol', 'ip', 'parent', '1:', 'u32', 'match', 'ip', 'dport', String(port), 'ffff', 'action', 'csum', 'ip', 'and', 'udp'];
  return {
    show: ['qdisc', 'show', 'dev', dev, 'handle', '1:'],
    addQdisc: ['qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '2'],
    addFilter: ['filter', 'add', ...filter],
    delFilter: ['filter', 'del', ...filter],
  };
}

/**
 * libvirt's test on the output of `tc qdisc show dev BR handle 1:` (`virNetDevBandWidthAddTxFilterParentQdisc`):
 * the root qdisc exists when the output mentions `qdisc` and ` 1: `; otherwise `addQdisc` runs.
 */
export function hasTcRootQdisc(showOutput: string): boolean {
  return showOutput.includes('qdisc') && showOutput.includes(' 1: ');
}

/**
 * Every command libvirt runs to add a network's rules, in order. For nftables this assumes, as
 * libvirt's test does, that `tc qdisc show` found no qdisc, so the `qdisc add` is included.
 */
export function libvirtCommands(rules: FirewallRules, backend: FirewallBackendName): FirewallCommand[] {
  const out: FirewallCommand[] = [];
  if (backend === 'iptables') {
    for (const rule of rules.rules) out.push({ binary: iptablesBinary(rule), args: iptablesRuleArgs(rule, '--insert') });
    return out;
  }
  if (rules.tcChecksum !== undefined) {
    const tc = tcChecksumCommands(rules.tcChecksum.dev, rules.tcChecksum.port);
    out.push({ binary: 'tc', args: tc.show }, { binary: 'tc', args: tc.addQdisc }, { binary: 'tc', args: tc.addFilter });
  }
  for (const rule of rules.rules) {
    const args = nftRuleArgs(rule);
    if (args !== undefined) out.push({ binary: 'nft', args });
  }
  return out;
}

/** The commands of libvirt's global chain set-up when nothing exists yet (`base.<backend>`). */
export function libvirtBaseCommands(backend: FirewallBackendName): FirewallCommand[] {
  const out: FirewallCommand[] = [];
  if (backend === 'iptables') {
    for (const binary of ['iptables', 'ip6tables'] as const) {
      for (const table of ['filter', 'nat', 'mangle']) out.push({ binary, args: ['-w', '--table', table, '--list-rules'] });
      for (const c of IPTABLES_BASE_CHAINS) {
        out.push({ binary, args: ['-w', '--table', c.table, '--new-chain', c.chain] });
        out.push({ binary, args: ['-w', '--table', c.table, '--insert', c.parent, '--jump', c.chain] });
      }
    }
    return out;
  }
  for (const fam of ['ip', 'ip6']) {
    out.push({ binary: 'nft', args: ['list', 'table', fam, NFT_TABLE] });
    out.push({ binary: 'nft', args: ['add', 'table', fam, NFT_TABLE] });
    for (const c of NFT_BASE_CHAINS) {
      out.push({ binary: 'nft', args: ['add', 'chain', fam, NFT_TABLE, c.name, ...(c.spec === undefined ? [] : [c.spec])] });
      if (c.parent !== undefined) {
        out.push({ binary: 'nft', args: ['insert', 'rule', fam, NFT_TABLE, c.parent, 'counter', 'jump', c.name] });
      }
    }
  }
  return out;
}

/** Characters after which `virBufferEscapeShell` quotes an argument. */
const SHELL_SPECIAL = /[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/;

/** libvirt's `virBufferEscapeShell`: `'…'` with `'` as `'\''` when needed, `''` when empty. */
export function escapeShell(arg: string): string {
  if (arg === '') return "''";
  if (!SHELL_SPECIAL.test(arg)) return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * One command as `virCommandToStringBuf(linebreaks=true, stripCommandPath=true)` prints it: each
 * argument is preceded by ` \` and a newline, except a value that follows an option on its line
 * (an argument not starting with `-`, once an option was seen, while the previous argument or a
 * later one is an option). Ends with a newline.
 */
export function commandText(command: FirewallCommand): string {
  const args = command.args;
  // laterOption[i]: some argument at index >= i starts with '-'.
  const laterOption: boolean[] = new Array<boolean>(args.length + 1).fill(false);
  for (let i = args.length - 1; i >= 0; i--) laterOption[i] = laterOption[i + 1]! || args[i]!.startsWith('-');
  let text = command.binary;
  let seenOption = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const isOption = arg.startsWith('-');
    const keepOnLine = !isOption && seenOption && laterOption[Math.max(0, i - 1)]!;
    text += keepOnLine ? ' ' : ' \\\n';
    text += escapeShell(arg);
    if (isOption) seenOption = true;
  }
  return `${text}\n`;
}

/**
 * The text libvirt's `networkxml2firewalltest` expects for a network (without the base set-up).
 *
 * @example
 * ```ts
 * renderLibvirtCommands(firewallRules(net, { bridge: 'virbr0' }), 'iptables');
 * // "iptables \\\n-w \\\n--table filter \\\n--insert LIBVIRT_INP \\\n…"
 * ```
 */
export function renderLibvirtCommands(rules: FirewallRules, backend: FirewallBackendName): string {
  return libvirtCommands(rules, backend).map(commandText).join('');
}

/**
 * The text of libvirt's global chain set-up on an empty host (`base.iptables` / `base.nftables`).
 *
 * @example
 * ```ts
 * renderLibvirtBase('nftables').startsWith('nft \\\nlist \\\ntable \\\nip \\\nlibvirt_network\n'); // true
 * ```
 */
export function renderLibvirtBase(backend: FirewallBackendName): string {
  return libvirtBaseCommands(backend).map(commandText).join('');
}
