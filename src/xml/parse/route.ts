/**
 * `<route>` (`virNetDevIPRouteParseXML` / `virNetDevIPRouteCreate`) and the check, made after all
 * routes are read, that each gateway lies in one of the network's `<ip>` subnets.
 *
 * @module
 */
import type { Ip } from '../../model/ip.js';
import type { Route } from '../../model/route.js';
import type { IpAddress, IpFamily, Ipv4Address, Prefix, UInt } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { collectUnknown, readUInt, type ParseContext } from './context.js';
import { samePrefix } from '../../model/inet.js';
import { ipNetwork } from './ip.js';
import { specAt } from './schema.js';
import { parseIp, type ParsedIp } from './scalars.js';

function masked(bytes: Uint8Array, maskOf: (i: number) => number): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & maskOf(i)) !== bytes[i]) return false;
  return true;
}

/** Decode one `<route>`. */
export function decodeRoute(node: XNode, path: string, ctx: ParseContext): Route {
  const family = node.attrs['family'];
  const addressText = node.attrs['address'];
  const netmaskText = node.attrs['netmask'];
  const gatewayText = node.attrs['gateway'];
  const prefix = readUInt(ctx, node, path, 'prefix', 'route.prefix.invalid');
  const metric = readUInt(ctx, node, path, 'metric', 'route.metric.invalid');
  if (metric === 0)
    ctx.fail('route.metric.invalid', node, `${path}/@metric`, `The route metric in ${ctx.net} may not be 0.`);
  if (addressText === undefined) ctx.fail('route.address.missing', node, path, `A <route> in ${ctx.net} has no 'address' attribute.`);
  if (gatewayText === undefined) ctx.fail('route.gateway.missing', node, path, `A <route> in ${ctx.net} has no 'gateway' attribute.`);
  const address = parseIp(addressText);
  if (address === undefined)
    ctx.fail('route.address.invalid', node, `${path}/@address`, `Invalid route network address '${addressText}' in ${ctx.net}.`);
  const gateway = parseIp(gatewayText);
  if (gateway === undefined)
    ctx.fail('route.gateway.invalid', node, `${path}/@gateway`, `Invalid route gateway address '${gatewayText}' in ${ctx.net}.`);
  let netmask: ParsedIp | undefined;
  if (family === undefined || family === 'ipv4') {
    const said = family === undefined ? 'no family (IPv6 needs family=\'ipv6\')' : "family='ipv4'";
    if (address.v6)
      ctx.fail('route.address.family-mismatch', node, `${path}/@address`, `The route address '${addressText}' in ${ctx.net} is IPv6, but the <route> has ${said}.`);
    if (gateway.v6)
      ctx.fail('route.gateway.family-mismatch', node, `${path}/@gateway`, `The route gateway '${gatewayText}' in ${ctx.net} is IPv6, but the <route> has ${said}.`);
    if (netmaskText !== undefined) {
      netmask = parseIp(netmaskText);
      if (netmask === undefined)
        ctx.fail('route.netmask.invalid', node, `${path}/@netmask`, `Invalid route netmask '${netmaskText}' in ${ctx.net}.`);
      if (netmask.v6)
        ctx.fail(
          'route.netmask.family-mismatch',
          node,
          `${path}/@netmask`,
          `The route netmask '${netmaskText}' for address '${addressText}' in ${ctx.net} is not IPv4 (both must be IPv4).`,
        );
      if (prefix !== undefined)
        ctx.fail('route.netmask.with-prefix', node, `${path}/@prefix`, `A <route> in ${ctx.net} has both a prefix and a netmask; give only one.`);
    }
    if (prefix !== undefined && prefix > 32)
      ctx.fail('route.prefix.invalid', node, `${path}/@prefix`, `Invalid route prefix ${prefix} in ${ctx.net} (0 to 32 for IPv4).`);
  } else if (family === 'ipv6') {
    if (!address.v6)
      ctx.fail('route.address.family-mismatch', node, `${path}/@address`, `The <route> in ${ctx.net} says family='ipv6' but its address '${addressText}' is not IPv6.`);
    if (netmaskText !== undefined)
      ctx.fail('route.netmask.family-mismatch', node, `${path}/@netmask`, `A netmask is not allowed for the IPv6 route address '${addressText}' in ${ctx.net}; use prefix.`);
    if (!gateway.v6)
      ctx.fail('route.gateway.family-mismatch', node, `${path}/@gateway`, `The <route> in ${ctx.net} says family='ipv6' but its gateway '${gatewayText}' is not IPv6.`);
    if (prefix !== undefined && prefix > 128)
      ctx.fail('route.prefix.invalid', node, `${path}/@prefix`, `Invalid route prefix ${prefix} in ${ctx.net} (0 to 128 for IPv6).`);
  } else ctx.fail('route.family.invalid', node, `${path}/@family`, `Unknown route family '${family}' in ${ctx.net}: expected ipv4 or ipv6.`);

  // The address must be the network address of address/netmask (or /prefix, 0 when not given).
  const isNetwork =
    netmask !== undefined
      ? masked(address.bytes, (i) => netmask!.bytes[i]!)
      : masked(address.bytes, (i) => {
          const bits = Math.max(0, Math.min(8, (prefix ?? 0) - i * 8));
          return (0xff << (8 - bits)) & 0xff;
        });
  if (!isNetwork)
    ctx.fail(
      'route.address.not-network',
      node,
      `${path}/@address`,
      `The route address '${addressText}' in ${ctx.net} is not a network address (it has bits set outside its ${netmask ? 'netmask' : `prefix /${prefix ?? 0}`}).`,
    );
  const route: Route = { address: address.text as IpAddress, gateway: gateway.text as IpAddress };
  if (family !== undefined) route.family = family as IpFamily;
  if (netmask !== undefined) route.netmask = netmask.text as Ipv4Address;
  if (prefix !== undefined) route.prefix = prefix as Prefix;
  if (metric !== undefined) route.metric = metric as UInt;
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('route'));
    if (u) route.unknown = u;
  }
  return route;
}

/** libvirt's reachability check: each gateway must lie in an `<ip>` subnet of its family. */
export function checkGateways(routes: Route[], routeNodes: XNode[], ips: Ip[], ctx: ParseContext): void {
  if (routes.length === 0) return;
  const nets = ips.map(ipNetwork);
  for (let i = 0; i < routes.length; i++) {
    const gw = parseIp(routes[i]!.gateway)!;
    const ok = nets.some((n) => n.address.v6 === gw.v6 && n.prefix >= 0 && samePrefix(gw.bytes, n.address.bytes, n.prefix));
    if (!ok)
      ctx.fail(
        'route.gateway.unreachable',
        routeNodes[i]!,
        `/network/route[${i + 1}]/@gateway`,
        `The static route gateway '${gw.text}' in ${ctx.net} is not inside any <ip> subnet of the network, so it is unreachable.`,
      );
  }
}
