/**
 * A rule in the canonical form `iptables-save` prints (`-s … -d … -i … -o … -p … -m … -j …`).
 * The same text is valid iptables-restore input, so what virtnet writes is exactly what it later
 * reads back.
 *
 * @module
 */
import { iptablesChainName, type FirewallRule } from './rules.js';

/** The rule's matches and target, as `iptables-save` prints them after `-A CHAIN`. */
export function iptablesSaveRuleSpec(rule: FirewallRule): string {
  const parts: string[] = [];
  const find = <K extends FirewallRule['matches'][number]['kind']>(kind: K) =>
    rule.matches.filter((m): m is Extract<FirewallRule['matches'][number], { kind: K }> => m.kind === kind);
  for (const m of find('source')) parts.push(`${m.negate ? '! ' : ''}-s ${m.cidr}`);
  for (const m of find('destination')) parts.push(`${m.negate ? '! ' : ''}-d ${m.cidr}`);
  for (const m of find('in-interface')) parts.push(`-i ${m.name}`);
  for (const m of find('out-interface')) parts.push(`-o ${m.name}`);
  const protocol = find('protocol')[0];
  if (protocol !== undefined) parts.push(`-p ${protocol.protocol}`);
  for (const m of find('destination-port')) parts.push(`-m ${protocol?.protocol ?? 'tcp'} --dport ${m.port}`);
  // iptables prints conntrack states in its own order: RELATED before ESTABLISHED.
  for (const m of find('conntrack')) {
    parts.push(`-m conntrack --ctstate ${(['RELATED', 'ESTABLISHED'] as const).filter((s) => m.states.includes(s)).join(',')}`);
  }
  const a = rule.action;
  switch (a.kind) {
    case 'ACCEPT':
    case 'RETURN':
      parts.push(`-j ${a.kind}`);
      break;
    case 'REJECT':
      parts.push(`-j REJECT --reject-with ${rule.family === 'ipv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`);
      break;
    case 'MASQUERADE':
      parts.push(a.toPorts === undefined ? '-j MASQUERADE' : `-j MASQUERADE --to-ports ${a.toPorts.start}-${a.toPorts.end}`);
      break;
    case 'SNAT': {
      const range = a.to === undefined ? a.from : `${a.from}-${a.to}`;
      parts.push(`-j SNAT --to-source ${a.toPorts === undefined ? range : `${range}:${a.toPorts.start}-${a.toPorts.end}`}`);
      break;
    }
    case 'CHECKSUM':
      parts.push('-j CHECKSUM --checksum-fill');
      break;
  }
  return parts.join(' ');
}

/** The rule's `-A LIBVIRT_X …` line as `iptables-save` prints it. */
export function iptablesSaveLine(rule: FirewallRule): string {
  return `-A ${iptablesChainName(rule.chain)} ${iptablesSaveRuleSpec(rule)}`;
}
