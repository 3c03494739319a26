/**
 * `<route>`: static routes through the bridge (libvirt's `virNetDevIPRouteParseXML` and the
 * gateway reachability rule of `virNetworkDefParseXML`).
 *
 * @module
 */
import { effectivePrefix, Ipv4Address, isIpv6, netmaskToPrefix, type Network } from '../model/index.js';
import { isIpAddress, Subnet, toBigInt } from './addr.js';
import { subnetOf } from './ip.js';
import { q, type Problems } from './problem.js';

/** libvirt reads `metric` as an unsigned int. */
const MAX_METRIC = 0xffffffff;

/** Checks of every `<route>`. */
export function validateRoutes(network: Network, c: Problems): void {
  const routes = network.routes ?? [];
  if (routes.length === 0) return;
  // Subnets of the <ip>s, computed once, for the gateway rule.
  const subnets: Subnet[] = [];
  for (const ip of network.ips ?? []) {
    const subnet = subnetOf(ip);
    if (subnet) subnets.push(subnet);
  }

  routes.forEach((route, i) => {
    const path = `/network/route[${i + 1}]`;
    const label = `route ${q(route.address)} via ${q(route.gateway)}`;
    if (!isIpAddress(route.address) || !isIpAddress(route.gateway)) {
      c.error('ip.address.invalid', path, `${label} in ${c.net} holds an invalid IP address`);
      return;
    }
    const v6 = route.family === 'ipv6';
    let ok = true;
    for (const [attr, value] of [
      ['address', route.address],
      ['gateway', route.gateway],
    ] as const) {
      if (isIpv6(value) !== v6) {
        c.error('route.family.mismatch', `${path}/@${attr}`, `${route.family === undefined ? 'no family' : `family ${q(route.family)}`} specified for ${v6 ? 'non-IPv6' : 'non-IPv4'} ${attr} ${q(value)} in ${label} of ${c.net}`);
        ok = false;
      }
    }
    if (route.netmask !== undefined && !Ipv4Address.is(route.netmask)) {
      c.error('ip.address.invalid', `${path}/@netmask`, `invalid netmask ${q(route.netmask)} in ${label} of ${c.net}: a netmask is an IPv4 address`);
      ok = false;
    } else if (route.netmask !== undefined) {
      if (v6) {
        c.error('route.netmask.ipv6', `${path}/@netmask`, `netmask ${q(route.netmask)} not allowed in IPv6 ${label} of ${c.net}`);
        ok = false;
      }
      if (route.prefix !== undefined) {
        c.error('route.prefix-and-netmask', path, `${label} of ${c.net} cannot have both a prefix (${route.prefix}) and a netmask (${q(route.netmask)})`);
        ok = false;
      } else if (netmaskToPrefix(route.netmask) === undefined) {
        c.error('route.netmask.non-contiguous', `${path}/@netmask`, `netmask ${q(route.netmask)} of ${label} in ${c.net} is not contiguous`);
        ok = false;
      }
    }
    if (route.prefix !== undefined && !(Number.isInteger(route.prefix) && route.prefix >= 0 && route.prefix <= (v6 ? 128 : 32))) {
      c.error('route.prefix.out-of-range', `${path}/@prefix`, `invalid prefix ${route.prefix} in ${label} of ${c.net}, must be 0 - ${v6 ? 128 : 32}`);
      ok = false;
    }
    if (route.metric !== undefined && route.metric > MAX_METRIC) {
      c.error('route.metric.out-of-range', `${path}/@metric`, `metric ${route.metric} of ${label} in ${c.net} is larger than ${MAX_METRIC}`);
    }
    if (!ok) return;
    // libvirt's virSocketAddrGetIPPrefix: a prefix of 0 counts as unset here too.
    const prefix = effectivePrefix(route);
    if (prefix !== undefined && new Subnet(route.address, prefix).first !== toBigInt(route.address)) {
      c.error('route.address.not-network', `${path}/@address`, `address ${q(route.address)} in route definition of ${c.net} is not a network address for prefix ${prefix}`);
    }
    if (!subnets.some((s) => s.contains(route.gateway))) {
      c.error('route.gateway.unreachable', `${path}/@gateway`, `unreachable static route gateway ${q(route.gateway)} specified for ${c.net}: it is in no <ip> subnet of its family`);
    }
  });
}
