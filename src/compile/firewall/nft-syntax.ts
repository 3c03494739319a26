/**
 * A rule's matches and action as nft tokens, in the order libvirt's nftables code writes them.
 *
 * @module
 */
import { nftFamily } from './base.js';
import type { FirewallAction, FirewallMatch, FirewallRule, PortRange } from './rules.js';

/**
 * libvirt's nftables code writes the matches of two rule shapes in another order than its
 * iptables code: the l4 protocol of a masquerade rule comes first (`meta l4proto udp ip saddr …`),
 * and the related-in rule names its interfaces before the address (`iifname OUT oif BR ip daddr
 * NET ct state …`). Every other shape keeps the iptables order.
 */
export function nftMatchOrder(rule: FirewallRule): FirewallMatch[] {
  const protocol = rule.matches.filter((m) => m.kind === 'protocol');
  const rest = rule.matches.filter((m) => m.kind !== 'protocol');
  if (!rest.some((m) => m.kind === 'conntrack')) return [...protocol, ...rest];
  const interfaces = rest.filter((m) => m.kind === 'in-interface' || m.kind === 'out-interface');
  const others = rest.filter((m) => m.kind !== 'in-interface' && m.kind !== 'out-interface');
  return [...protocol, ...interfaces, ...others];
}

/** How interface names are written: bare words in libvirt's argv, double-quoted in a script. */
export type NftNameStyle = 'bare' | 'quoted';

function name(value: string, style: NftNameStyle): string {
  return style === 'quoted' ? `"${value}"` : value;
}

function ports(range: PortRange): string {
  return `${range.start}-${range.end}`;
}

/** nft tokens of the matches, in libvirt's nft order. */
export function nftMatchTokens(rule: FirewallRule, style: NftNameStyle): string[] {
  const fam = nftFamily(rule.family);
  const out: string[] = [];
  const ordered = nftMatchOrder(rule);
  for (let i = 0; i < ordered.length; i++) {
    const m = ordered[i]!;
    switch (m.kind) {
      case 'in-interface':
        out.push(m.role === 'bridge' ? 'iif' : 'iifname', name(m.name, style));
        break;
      case 'out-interface':
        out.push(m.role === 'bridge' ? 'oif' : 'oifname', name(m.name, style));
        break;
      case 'protocol': {
        // A port match right after the protocol becomes `udp dport N`; alone it is `meta l4proto`.
        const next = ordered[i + 1];
        if (next?.kind === 'destination-port') {
          out.push(m.protocol, 'dport', String(next.port));
          i++;
        } else {
          out.push('meta', 'l4proto', m.protocol);
        }
        break;
      }
      case 'destination-port':
        out.push('th', 'dport', String(m.port));
        break;
      case 'source':
        out.push(fam, 'saddr', ...(m.negate ? ['!='] : []), m.cidr);
        break;
      case 'destination':
        out.push(fam, 'daddr', ...(m.negate ? ['!='] : []), m.cidr);
        break;
      case 'conntrack':
        // libvirt writes `related,established`.
        out.push('ct', 'state', (['RELATED', 'ESTABLISHED'] as const).filter((s) => m.states.includes(s)).map((s) => s.toLowerCase()).join(','));
        break;
    }
  }
  return out;
}

/** nft tokens of the action, with libvirt's `counter` before the verdict. */
export function nftActionTokens(action: FirewallAction): string[] {
  switch (action.kind) {
    case 'ACCEPT':
      return ['counter', 'accept'];
    case 'REJECT':
      return ['counter', 'reject'];
    case 'RETURN':
      return ['counter', 'return'];
    case 'MASQUERADE':
      return action.toPorts === undefined ? ['counter', 'masquerade'] : ['counter', 'masquerade', 'to', `:${ports(action.toPorts)}`];
    case 'SNAT': {
      const range = action.to === undefined ? action.from : `${action.from}-${action.to}`;
      return ['counter', 'snat', 'to', action.toPorts === undefined ? range : `${range}:${ports(action.toPorts)}`];
    }
    case 'CHECKSUM':
      // The nftables backend fixes checksums with tc instead; there is no nft statement.
      throw new Error('CHECKSUM has no nftables form');
  }
}
