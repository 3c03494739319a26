/**
 * From a network to its firewall rules, following libvirt 11.3's `iptablesAddFirewallRules` /
 * `nftablesAddFirewallRules` (the two backends share one decision table; the differences are in
 * the renderers): general IPv4 rules, general IPv6 rules, then per `<ip>` a masquerade set or a
 * routing set, then the DHCP checksum rule.
 *
 * @module
 */
import { effectivePrefix, isIpv6, networkAddress } from '../../model/address.js';
import { canonicalIp } from '../../model/inet.js';
import type { Ip } from '../../model/ip.js';
import type { Network } from '../../model/network.js';
import { IpAddress, Ipv4Address } from '../../model/scalars.js';
import { CompileError } from '../errors.js';
import { checkInterfaceName } from './names.js';
import type {
  FirewallAction,
  FirewallChain,
  FirewallFamily,
  FirewallMatch,
  FirewallRule,
  FirewallRules,
  FirewallTable,
  PortRange,
} from './rules.js';

/** libvirt's default masquerade source ports, used when `<nat><port>` is absent or 0-0. */
export const DEFAULT_NAT_PORTS: PortRange = { start: 1024, end: 65535 };

/** Options of {@link firewallRules}. */
export interface FirewallRulesOptions {
  /** The network's bridge (the plan's allocated name when the document has none). */
  bridge: string;
}

/** Appends rules in emission order; one small helper per libvirt rule shape. */
class RuleList {
  readonly rules: FirewallRule[] = [];
  constructor(
    private readonly bridge: string,
    private readonly uplink: string | undefined,
  ) {}

  private push(
    family: FirewallFamily,
    table: FirewallTable,
    chain: FirewallChain,
    matches: FirewallMatch[],
    action: FirewallAction,
  ): void {
    this.rules.push({ family, table, chain, matches, action });
  }

  private bridgeIn(): FirewallMatch {
    return { kind: 'in-interface', name: this.bridge, role: 'bridge' };
  }

  private bridgeOut(): FirewallMatch {
    return { kind: 'out-interface', name: this.bridge, role: 'bridge' };
  }

  private uplinkMatch(kind: 'in-interface' | 'out-interface'): FirewallMatch[] {
    return this.uplink === undefined ? [] : [{ kind, name: this.uplink, role: 'uplink' }];
  }

  /** `LIBVIRT_INP --in-interface BR --protocol P --destination-port N --jump ACCEPT`. */
  hostInput(family: FirewallFamily, protocol: 'tcp' | 'udp', port: number): void {
    this.push(family, 'filter', 'INP', [this.bridgeIn(), { kind: 'protocol', protocol }, { kind: 'destination-port', port }], {
      kind: 'ACCEPT',
    });
  }

  /** `LIBVIRT_OUT --out-interface BR --protocol P --destination-port N --jump ACCEPT`. */
  hostOutput(family: FirewallFamily, protocol: 'tcp' | 'udp', port: number): void {
    this.push(family, 'filter', 'OUT', [this.bridgeOut(), { kind: 'protocol', protocol }, { kind: 'destination-port', port }], {
      kind: 'ACCEPT',
    });
  }

  /** Catch-all: nothing else leaves the bridge, enters it, or (below) only guest-to-guest passes. */
  generalForward(family: FirewallFamily): void {
    this.push(family, 'filter', 'FWO', [this.bridgeIn()], { kind: 'REJECT' });
    this.push(family, 'filter', 'FWI', [this.bridgeOut()], { kind: 'REJECT' });
    this.push(family, 'filter', 'FWX', [this.bridgeIn(), this.bridgeOut()], { kind: 'ACCEPT' });
  }

  /** FWO: traffic from the subnet may leave through the bridge (to the uplink, if one is named). */
  allowOut(family: FirewallFamily, cidr: string): void {
    this.push(
      family,
      'filter',
      'FWO',
      [{ kind: 'source', cidr, negate: false }, this.bridgeIn(), ...this.uplinkMatch('out-interface')],
      { kind: 'ACCEPT' },
    );
  }

  /** FWI for nat: only replies (conntrack ESTABLISHED,RELATED) come back in. */
  allowRelatedIn(family: FirewallFamily, cidr: string): void {
    this.push(
      family,
      'filter',
      'FWI',
      [
        { kind: 'destination', cidr, negate: false },
        ...this.uplinkMatch('in-interface'),
        this.bridgeOut(),
        { kind: 'conntrack', states: ['ESTABLISHED', 'RELATED'] },
      ],
      { kind: 'ACCEPT' },
    );
  }

  /** FWI for route: everything to the subnet comes in. */
  allowIn(family: FirewallFamily, cidr: string): void {
    this.push(
      family,
      'filter',
      'FWI',
      [{ kind: 'destination', cidr, negate: false }, ...this.uplinkMatch('in-interface'), this.bridgeOut()],
      { kind: 'ACCEPT' },
    );
  }

  /** nat PRT: rewrite the source of traffic leaving the subnet. */
  masquerade(family: FirewallFamily, cidr: string, protocol: 'tcp' | 'udp' | undefined, action: FirewallAction): void {
    const matches: FirewallMatch[] = [{ kind: 'source', cidr, negate: false }];
    if (protocol !== undefined) matches.push({ kind: 'protocol', protocol });
    matches.push({ kind: 'destination', cidr, negate: true }, ...this.uplinkMatch('out-interface'));
    this.push(family, 'nat', 'PRT', matches, action);
  }

  /** nat PRT: never rewrite traffic to broadcast / link-local multicast. */
  dontMasquerade(family: FirewallFamily, cidr: string, destination: string): void {
    this.push(
      family,
      'nat',
      'PRT',
      [...this.uplinkMatch('out-interface'), { kind: 'source', cidr, negate: false }, { kind: 'destination', cidr: destination, negate: false }],
      { kind: 'RETURN' },
    );
  }

  /** mangle PRT: fill in DHCP reply checksums (iptables only; libvirt ignores its failure). */
  checksum(): void {
    this.rules.push({
      family: 'ipv4',
      table: 'mangle',
      chain: 'PRT',
      matches: [this.bridgeOut(), { kind: 'protocol', protocol: 'udp' }, { kind: 'destination-port', port: 68 }],
      action: { kind: 'CHECKSUM' },
      ignoreErrors: true,
    });
  }
}

/**
 * The `<ip>` elements with their document index (for error paths) and family. The model's codecs
 * guarantee valid addresses, but a caller may hand over an unchecked object: the strings become
 * rule arguments, so they are checked again here.
 */
function ipsOf(network: Network): Array<{ ip: Ip; index: number; family: FirewallFamily }> {
  return (network.ips ?? []).map((ip, index) => {
    if (!IpAddress.is(ip.address) || (ip.netmask !== undefined && !Ipv4Address.is(ip.netmask))) {
      throw new CompileError('firewall.invalid-address', `/network/ip[${index + 1}]/@address`, `invalid address ${JSON.stringify(ip.address)}`);
    }
    return { ip, index, family: isIpv6(ip.address) ? 'ipv6' : 'ipv4' };
  });
}

function hasDhcp(ip: Ip): boolean {
  return (ip.dhcp?.ranges?.length ?? 0) > 0 || (ip.dhcp?.hosts?.length ?? 0) > 0;
}

/** `address masked/prefix`, or the libvirt error for an `<ip>` without a usable prefix. */
function subnetOf(ip: Ip, index: number, bridge: string): string {
  if (ip.prefix !== undefined && !(Number.isInteger(ip.prefix) && ip.prefix >= 0 && ip.prefix <= (isIpv6(ip.address) ? 128 : 32))) {
    throw new CompileError('firewall.invalid-prefix', `/network/ip[${index + 1}]/@prefix`, `Invalid prefix or netmask for '${bridge}'`);
  }
  const prefix = effectivePrefix(ip);
  if (prefix === undefined) {
    throw new CompileError('firewall.invalid-prefix', `/network/ip[${index + 1}]`, `Invalid prefix or netmask for '${bridge}'`);
  }
  return `${networkAddress(ip.address, prefix)}/${prefix}`;
}

/** `<nat><port>` with libvirt's default and check (`start < end ≤ 65535`). */
function natPorts(network: Network): PortRange {
  const port = network.forward?.nat?.port;
  if (port === undefined || (port.start === 0 && port.end === 0)) return { ...DEFAULT_NAT_PORTS };
  if (!(Number.isInteger(port.start) && Number.isInteger(port.end) && port.start >= 0 && port.start < port.end && port.end < 65536)) {
    throw new CompileError('firewall.nat-port-range', '/network/forward/nat/port', `Invalid port range '${port.start}-${port.end}'.`);
  }
  return { start: port.start, end: port.end };
}

/**
 * The masquerade actions of one subnet: SNAT to `<nat><address>` when it has the subnet's family
 * (it is always IPv4), else MASQUERADE; with a port range for the tcp/udp rules.
 */
function natAction(network: Network, family: FirewallFamily, ports: PortRange | undefined): FirewallAction {
  const address = network.forward?.nat?.address;
  if (address !== undefined && !(Ipv4Address.is(address.start) && Ipv4Address.is(address.end))) {
    throw new CompileError('firewall.invalid-address', '/network/forward/nat/address', `invalid NAT address range ${JSON.stringify(`${address.start}-${address.end}`)}`);
  }
  if (address !== undefined && family === 'ipv4') {
    // The codec takes any inet_aton form (`10.1`); the rule gets the dotted quad libvirt writes.
    const from = canonicalIp(address.start)!;
    const to = canonicalIp(address.end)!;
    return ports === undefined ? { kind: 'SNAT', from, to } : { kind: 'SNAT', from, to, toPorts: ports };
  }
  return ports === undefined ? { kind: 'MASQUERADE' } : { kind: 'MASQUERADE', toPorts: ports };
}

/**
 * The firewall rules libvirt 11.3 installs for a network, in libvirt's emission order. Modes
 * open, bridge, private, vepa, passthrough and hostdev get none (empty `rules`, no tc filter);
 * isolated (no `<forward>`), nat and route networks get the general rules plus, per `<ip>`, a
 * masquerade set (nat; IPv6 only with `<nat ipv6='yes'>`) or a routing set (route, and IPv6 in
 * nat without `ipv6='yes'`).
 *
 * The bridge and the forward device are checked ({@link checkInterfaceName}); a bad value, an
 * `<ip>` without a usable prefix or an invalid `<nat><port>` range throws `CompileError`.
 *
 * @example
 * ```ts
 * const net = defineNetwork({
 *   name: 'default', forward: { mode: 'nat' },
 *   ips: [{ address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }] } }],
 * });
 * const fw = firewallRules(net, { bridge: 'virbr0' });
 * fw.rules.length; // 19
 * ```
 */
export function firewallRules(network: Network, options: FirewallRulesOptions): FirewallRules {
  const bridge = options.bridge;
  checkInterfaceName(bridge, 'options.bridge');
  const mode = network.forward?.mode ?? 'none';
  if (mode !== 'none' && mode !== 'nat' && mode !== 'route') return { bridge, rules: [] };

  const uplink = network.forward?.interfaces?.[0]?.dev;
  if (uplink !== undefined && uplink !== '') checkInterfaceName(uplink, '/network/forward/@dev');
  const list = new RuleList(bridge, uplink === '' ? undefined : uplink);
  const ips = ipsOf(network);
  const ipv4 = ips.filter((i) => i.family === 'ipv4');
  const hasIpv6 = ips.some((i) => i.family === 'ipv6');

  // General IPv4, always (iptablesAddGeneralIPv4FirewallRules). TFTP follows the first IPv4
  // <ip> that has DHCP or TFTP, as libvirt supports DHCP on one IPv4 subnet only.
  list.hostInput('ipv4', 'tcp', 67);
  list.hostInput('ipv4', 'udp', 67);
  list.hostOutput('ipv4', 'tcp', 68);
  list.hostOutput('ipv4', 'udp', 68);
  list.hostInput('ipv4', 'tcp', 53);
  list.hostInput('ipv4', 'udp', 53);
  list.hostOutput('ipv4', 'tcp', 53);
  list.hostOutput('ipv4', 'udp', 53);
  const dhcpOrTftp = ipv4.find((i) => hasDhcp(i.ip) || i.ip.tftp !== undefined);
  if (dhcpOrTftp?.ip.tftp !== undefined) {
    list.hostInput('ipv4', 'udp', 69);
    list.hostOutput('ipv4', 'udp', 69);
  }
  list.generalForward('ipv4');

  // General IPv6: with an IPv6 <ip> or <network ipv6='yes'>.
  if (hasIpv6 || network.ipv6 === true) {
    list.generalForward('ipv6');
    if (hasIpv6) {
      list.hostInput('ipv6', 'tcp', 53);
      list.hostInput('ipv6', 'udp', 53);
      list.hostOutput('ipv6', 'tcp', 53);
      list.hostOutput('ipv6', 'udp', 53);
      list.hostInput('ipv6', 'udp', 547);
      list.hostOutput('ipv6', 'udp', 546);
    }
  }

  // Per <ip>, in document order.
  for (const { ip, index, family } of ips) {
    const masquerade = mode === 'nat' && (family === 'ipv4' || network.forward?.nat?.ipv6 === true);
    const routed = mode === 'route' || (mode === 'nat' && !masquerade);
    if (!masquerade && !routed) continue;
    const cidr = subnetOf(ip, index, bridge);
    list.allowOut(family, cidr);
    if (routed) {
      list.allowIn(family, cidr);
      continue;
    }
    list.allowRelatedIn(family, cidr);
    // Inserted in reverse, so the chain ends up: multicast RETURN, broadcast RETURN, tcp, udp, any.
    list.masquerade(family, cidr, undefined, natAction(network, family, undefined));
    const ports = natPorts(network);
    list.masquerade(family, cidr, 'udp', natAction(network, family, ports));
    list.masquerade(family, cidr, 'tcp', natAction(network, family, ports));
    if (family === 'ipv4') list.dontMasquerade(family, cidr, '255.255.255.255/32');
    list.dontMasquerade(family, cidr, family === 'ipv4' ? '224.0.0.0/24' : 'ff02::/16');
  }

  // Second iptables transaction: the checksum fix, if some IPv4 <ip> serves DHCP.
  if (ipv4.some((i) => hasDhcp(i.ip))) list.checksum();

  return { bridge, rules: list.rules, tcChecksum: { dev: bridge, port: 68 } };
}
