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
  const m = rule.matches;
  for (const a of m) if (a.kind === 'source') parts.push(`${a.negate ? '! ' : ''}-s ${a.cidr}`);
  for (const a of m) if (a.kind === 'destination') parts.push(`${a.negate ? '! ' : ''}-d ${a.cidr}`);
  for (const a of m) if (a.kind === 'in-interface') parts.push(`-i ${a.name}`);
  for (const a of m) if (a.kind === 'out-interface') parts.push(`-o ${a.name}`);
  const protocol = m.find((a) => a.kind === 'protocol');
  if (protocol !== undefined) parts.push(`-p ${protocol.protocol}`);
  for (const a of m) if (a.kind === 'destination-port') parts.push(`-m ${protocol?.protocol ?? 'tcp'} --dport ${a.port}`);
  // iptables prints conntrack states in its own order: RELATED before ESTABLISHED.
  for (const a of m) {
    if (a.kind === 'conntrack') {
      parts.push(`-m conntrack --ctstate ${(['RELATED', 'ESTABLISHED'] as const).filter((s) => a.states.includes(s)).join(',')}`);
    }
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
