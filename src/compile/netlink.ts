/**
 * The link, address, route and sysctl operations of a virtual network (modes none/nat/route/open),
 * built from the model exactly as libvirt's `networkStartNetworkVirtual` performs them.
 *
 * Every value that reaches an operation is checked or canonicalised here: addresses are
 * re-printed from their bytes, prefixes are numbers in range, the bridge name was checked by
 * `bridge-name.ts`.
 *
 * @module
 */
import {
  addressBytes,
  addressFromBytes,
  effectivePrefix,
  isIpv6,
  lastAddress,
  type Network,
  type Route,
} from '../model/index.js';
import { CompileError } from './errors.js';
import type {
  AddAddressOp,
  AddRouteOp,
  CreateBridgeOp,
  OmittedStep,
  SetBridgeOptionOp,
  SetLinkStateOp,
  SetSysctlOp,
} from './plan.js';

/** The largest forward delay (centiseconds) the kernel's 32-bit netlink attribute can carry. */
const MAX_FORWARD_DELAY_CS = 0xffffffff;
/** Ethernet minimum and the largest MTU a Linux bridge accepts. */
const MIN_MTU = 68;
const MAX_MTU = 65535;

/** An address in canonical form (lowercase compressed IPv6, plain dotted quad). */
function canonical(address: string): string {
  return addressFromBytes(addressBytes(address));
}

/**
 * A MAC in the kernel's canonical form: lowercase, two digits per group.
 *
 * @example
 * ```ts
 * canonicalMac('52:54:0:A:B:C'); // '52:54:00:0a:0b:0c'
 * ```
 */
export function canonicalMac(mac: string): string {
  return mac
    .split(':')
    .map((group) => group.toLowerCase().padStart(2, '0'))
    .join(':');
}

/**
 * The dotted sysctl key of a per-interface setting. A `.` in the interface name is written `/`,
 * the procps convention, so the key splits back into path components unambiguously.
 *
 * @example
 * ```ts
 * interfaceSysctlKey('ipv6', 'virbr0', 'accept_ra'); // 'net.ipv6.conf.virbr0.accept_ra'
 * ```
 */
export function interfaceSysctlKey(family: 'ipv4' | 'ipv6', dev: string, setting: string): string {
  return `net.${family}.conf.${dev.replaceAll('.', '/')}.${setting}`;
}

/**
 * `link.create-bridge`: libvirt creates the bridge with its MAC in one netlink message, then sets
 * the MTU (when `<mtu size>` is non-zero), the forward delay and STP. One `ip link add` does all of
 * it. `stp` defaults to on and `delay` to 0 seconds, as in libvirt.
 *
 * @example
 * ```ts
 * createBridgeOperation(net, 'virbr0', '52:54:00:12:34:56');
 * // { kind: 'link.create-bridge', name: 'virbr0', mac: '52:54:00:12:34:56', stp: true, forwardDelay: 0 }
 * ```
 */
export function createBridgeOperation(network: Network, bridge: string, mac: string | undefined): CreateBridgeOp {
  const stp = network.bridge?.stp ?? true;
  const delaySeconds = network.bridge?.delay ?? 0;
  const forwardDelay = delaySeconds * 100;
  if (forwardDelay > MAX_FORWARD_DELAY_CS) {
    throw new CompileError(
      'bridge.delay.out-of-range',
      '/network/bridge/@delay',
      `bridge delay ${delaySeconds} s of network '${network.name}' is too large for the kernel`,
    );
  }
  const mtu = network.mtu;
  if (mtu !== undefined && mtu !== 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
    throw new CompileError(
      'mtu.out-of-range',
      '/network/mtu/@size',
      `mtu size ${mtu} of network '${network.name}' is outside the ${MIN_MTU}..${MAX_MTU} a Linux bridge accepts`,
    );
  }
  let canonicalMacAddress: string | undefined;
  if (mac !== undefined) {
    canonicalMacAddress = canonicalMac(mac);
    // Bit 0 of the first byte marks a multicast address, which no interface may carry.
    if ((parseInt(canonicalMacAddress.slice(0, 2), 16) & 1) === 1) {
      throw new CompileError(
        'mac.multicast',
        '/network/mac/@address',
        `Invalid multicast bridge mac address '${mac}' in network '${network.name}'`,
      );
    }
  }
  return {
    kind: 'link.create-bridge',
    name: bridge,
    ...(canonicalMacAddress !== undefined ? { mac: canonicalMacAddress } : {}),
    ...(mtu !== undefined && mtu !== 0 ? { mtu } : {}),
    stp,
    forwardDelay,
  };
}

/**
 * `link.set-bridge-option vlan_filtering 1` for `<bridge macTableManager='libvirt'>`
 * (`networkStartHandleMACTableManagerMode`). `previous` is 0, the kernel's value for a new bridge;
 * on an existing bridge (forward mode bridge) the executor records the real value for undo.
 * Needs a kernel with CONFIG_BRIDGE_VLAN_FILTERING: the test bed's kernel answers EOPNOTSUPP,
 * and libvirt fails to start such a network there the same way.
 *
 * @example
 * ```ts
 * vlanFilteringOperation('virbr0'); // { …, option: 'vlan_filtering', value: 1, previous: 0 }
 * ```
 */
export function vlanFilteringOperation(bridge: string): SetBridgeOptionOp {
  return { kind: 'link.set-bridge-option', dev: bridge, option: 'vlan_filtering', value: 1, previous: 0 };
}

/**
 * `link.set-state`: bring the bridge up (`virNetDevSetOnline`).
 *
 * @example
 * ```ts
 * linkUpOperation('virbr0'); // { kind: 'link.set-state', dev: 'virbr0', up: true }
 * ```
 */
export function linkUpOperation(bridge: string): SetLinkStateOp {
  return { kind: 'link.set-state', dev: bridge, up: true };
}

/**
 * `address.add` for every `<ip>` in document order (`networkAddAddrToBridge`): the effective
 * prefix (explicit, netmask, classful, /64), and for IPv4 the broadcast address, the last address
 * of the subnet, which libvirt's `virNetDevIPAddrAdd` always sets. An `<ip>` without a usable
 * prefix is refused as libvirt refuses it at start.
 *
 * @example
 * ```ts
 * addressOperations(defineNetwork({ name: 'n', ips: [{ address: '10.0.0.1', prefix: 24 }] }), 'virbr0');
 * // [{ kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '10.0.0.1', prefix: 24, broadcast: '10.0.0.255' }]
 * ```
 */
export function addressOperations(network: Network, bridge: string): AddAddressOp[] {
  const ops: AddAddressOp[] = [];
  const ips = network.ips ?? [];
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i]!;
    const v6 = isIpv6(ip.address);
    const prefix = effectivePrefix(ip);
    if (prefix === undefined || prefix > (v6 ? 128 : 32)) {
      throw new CompileError(
        'ip.prefix.undetermined',
        `/network/ip[${i + 1}]`,
        `bridge '${bridge}' has an invalid netmask or IP address (${ip.address}${ip.netmask !== undefined ? ` netmask ${ip.netmask}` : ''}${ip.prefix ? ` prefix ${ip.prefix}` : ''}) in network '${network.name}'`,
      );
    }
    const address = canonical(ip.address);
    ops.push(
      v6
        ? { kind: 'address.add', dev: bridge, family: 'ipv6', address, prefix }
        : { kind: 'address.add', dev: bridge, family: 'ipv4', address, prefix, broadcast: lastAddress(address, prefix) },
    );
  }
  return ops;
}

/** True for `0.0.0.0` or `::`. */
function isAllZero(address: string): boolean {
  return addressBytes(address).every((b) => b === 0);
}

/**
 * The prefix libvirt routes with (`virNetDevIPRouteGetPrefix`): an all-zero destination with an
 * explicit `prefix='0'` or `netmask='0.0.0.0'` is a default route (/0); otherwise the same rule
 * as an `<ip>` (so `::` without a prefix is /64). Undefined when there is none.
 *
 * @example
 * ```ts
 * routePrefix({ address: '0.0.0.0', prefix: 0, gateway: '10.0.0.2' } as Route); // 0
 * ```
 */
export function routePrefix(route: Route): number | undefined {
  if (isAllZero(route.address) && (route.prefix === 0 || route.netmask === '0.0.0.0')) return 0;
  const prefix = effectivePrefix(route);
  if (prefix === undefined || prefix > (isIpv6(route.address) ? 128 : 32)) return undefined;
  return prefix;
}

/**
 * `route.add` for every `<route>` in document order (`networkAddRouteToBridge`), through the
 * bridge. libvirt ignores a route that fails, and skips (with a logged error) one without a
 * usable prefix: the first is `ignoreErrors: true`, the second is listed in `omitted`.
 *
 * @example
 * ```ts
 * const omitted: OmittedStep[] = [];
 * routeOperations(net, 'virbr0', omitted); // one route.add per usable <route>
 * ```
 */
export function routeOperations(network: Network, bridge: string, omitted: OmittedStep[]): AddRouteOp[] {
  const ops: AddRouteOp[] = [];
  const routes = network.routes ?? [];
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!;
    const prefix = routePrefix(route);
    if (prefix === undefined) {
      omitted.push({
        feature: 'route',
        path: `/network/route[${i + 1}]`,
        reason: `network '${network.name}' has an invalid netmask or IP address in route definition; libvirt logs this and starts without the route`,
      });
      continue;
    }
    ops.push({
      kind: 'route.add',
      dev: bridge,
      family: isIpv6(route.address) ? 'ipv6' : 'ipv4',
      destination: canonical(route.address),
      prefix,
      gateway: canonical(route.gateway),
      ...(route.metric !== undefined && route.metric > 0 ? { metric: route.metric } : {}),
      ignoreErrors: true,
    });
  }
  return ops;
}

/**
 * The bridge's IPv6 sysctls (`networkSetIPv6Sysctls`): `disable_ipv6` 0 when the network has an
 * IPv6 `<ip>`, else 1; `accept_ra` 0 and `autoconf` 0 always, so guests cannot steer the host
 * with router advertisements. They live and die with the bridge.
 *
 * @example
 * ```ts
 * ipv6SysctlOperations(net, 'virbr0').map((op) => op.key);
 * // ['net.ipv6.conf.virbr0.disable_ipv6', 'net.ipv6.conf.virbr0.accept_ra', 'net.ipv6.conf.virbr0.autoconf']
 * ```
 */
export function ipv6SysctlOperations(network: Network, bridge: string): SetSysctlOp[] {
  const hasIpv6 = (network.ips ?? []).some((ip) => isIpv6(ip.address));
  return [
    { kind: 'sysctl.set', key: interfaceSysctlKey('ipv6', bridge, 'disable_ipv6'), value: hasIpv6 ? '0' : '1', keepOnTeardown: false },
    { kind: 'sysctl.set', key: interfaceSysctlKey('ipv6', bridge, 'accept_ra'), value: '0', keepOnTeardown: false },
    { kind: 'sysctl.set', key: interfaceSysctlKey('ipv6', bridge, 'autoconf'), value: '0', keepOnTeardown: false },
  ];
}

/**
 * Host-wide IP forwarding for a forwarding network (`networkEnableIPForwarding`): nothing for an
 * isolated network; `net.ipv4.ip_forward=1` when it has an IPv4 `<ip>`,
 * `net.ipv6.conf.all.forwarding=1` when it has an IPv6 one. libvirt never turns them back off.
 *
 * @example
 * ```ts
 * forwardingSysctlOperations(natNetwork); // [{ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true }]
 * ```
 */
export function forwardingSysctlOperations(network: Network): SetSysctlOp[] {
  if (network.forward === undefined) return [];
  const ips = network.ips ?? [];
  const ops: SetSysctlOp[] = [];
  if (ips.some((ip) => !isIpv6(ip.address))) {
    ops.push({ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true });
  }
  if (ips.some((ip) => isIpv6(ip.address))) {
    ops.push({ kind: 'sysctl.set', key: 'net.ipv6.conf.all.forwarding', value: '1', keepOnTeardown: true });
  }
  return ops;
}
