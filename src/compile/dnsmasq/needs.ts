/**
 * Whether libvirt starts a dnsmasq for a network (`networkStartDhcpDaemon`).
 *
 * @module
 */
import type { Network } from '../../model/network.js';

/**
 * True when libvirt 11.3 would run dnsmasq for the network: only networks whose bridge libvirt
 * manages (forward mode none, nat, route or open) with at least one `<ip>`, and then unless
 * no `<ip>` has a DHCP range, DHCP host or TFTP root **and** `<dns enable='no'>` — so a NAT
 * network without DHCP still gets dnsmasq for DNS.
 *
 * @example
 * ```ts
 * needsDnsmasq(defineNetwork({ name: 'n', ips: [{ address: '10.0.0.1', prefix: 24 }] })); // true
 * ```
 */
export function needsDnsmasq(network: Network): boolean {
  const mode = network.forward?.mode;
  if (mode !== undefined && mode !== 'nat' && mode !== 'route' && mode !== 'open') return false;
  const ips = network.ips ?? [];
  if (ips.length === 0) return false;
  const serves = ips.some(
    (ip) => (ip.dhcp?.ranges?.length ?? 0) > 0 || (ip.dhcp?.hosts?.length ?? 0) > 0 || ip.tftp !== undefined,
  );
  return serves || network.dns?.enable !== false;
}
