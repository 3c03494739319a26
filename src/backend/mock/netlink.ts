/**
 * Links, addresses and routes of the in-memory host, with the rules the Linux kernel enforces
 * (as `ip link|address|route` report them): unique valid interface names, the bridge's STP
 * forward-delay clamp, addresses only on existing links and never twice, routes only through an
 * up link whose subnet holds the gateway, and what a link takes with it when it goes down or away.
 *
 * Each function changes the host and returns the operations that undo exactly that change.
 *
 * @module
 */
import { addressBytes, addressFromBytes, inSubnet, networkAddress } from '../../model/address.js';
import { isCanonicalIpv4, isIpv6Text, parseIpv6Bytes } from '../../model/inet.js';
import type {
  AddAddressOp,
  AddRouteOp,
  CreateBridgeOp,
  DeleteAddressOp,
  DeleteLinkOp,
  DeleteRouteOp,
  Operation,
  SetBridgeOptionOp,
  SetLinkStateOp,
} from '../../compile/plan.js';
import { DEFAULT_SYSCTLS, fail, linkSysctlKey, PER_LINK_IPV6, type MockAddress, type MockHostData, type MockLink, type MockRoute } from './state.js';

/** The kernel's interface name size, including the terminating NUL. */
const IFNAMSIZ = 16;
/** What the kernel keeps a bridge's forward delay within while STP runs (2 s .. 30 s, centiseconds). */
const MIN_STP_FORWARD_DELAY = 200;
const MAX_STP_FORWARD_DELAY = 3000;

/**
 * Check an interface name as the kernel's `dev_valid_name()` does: 1..15 bytes, not `.` or `..`,
 * no `/`, `:` or whitespace.
 */
export function checkLinkName(name: string, op?: Operation): void {
  if (name.length === 0) fail('EINVAL', 'interface name must not be empty', op);
  if (Buffer.byteLength(name, 'utf8') >= IFNAMSIZ) {
    fail('EINVAL', `interface name '${name}' is longer than ${IFNAMSIZ - 1} bytes`, op);
  }
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) {
    fail('EINVAL', `interface name '${name}' is not valid (no '/', ':', whitespace, '.' or '..')`, op);
  }
}

/** True for an IPv6 address in fe80::/10. */
function isLinkLocal6(text: string): boolean {
  const b = parseIpv6Bytes(text);
  return b !== undefined && b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
}

/**
 * Parse an address of the given family strictly (IPv4 only as a plain dotted quad, as `ip`
 * reads it; IPv6 as glibc `inet_pton`); the canonical text.
 */
function canonicalAddress(text: string, family: 'ipv4' | 'ipv6', op: Operation): string {
  const valid = family === 'ipv4' ? isCanonicalIpv4(text) : isIpv6Text(text);
  if (!valid) fail('EINVAL', `'${text}' is not a valid ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`, op);
  return addressFromBytes(addressBytes(text));
}

function checkPrefix(prefix: number, family: 'ipv4' | 'ipv6', op: Operation): void {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
    fail('EINVAL', `prefix length ${prefix} is not valid for ${family}`, op);
  }
}

function linkOf(data: MockHostData, dev: string, op: Operation): MockLink {
  const link = data.links.get(dev);
  if (!link) fail('ENODEV', `Cannot find device "${dev}"`, op);
  return link;
}

/** A locally administered unicast MAC for a bridge created without one. */
function randomMac(ifindex: number): string {
  const bytes = [0x02, 0x00, 0x00, (ifindex >> 16) & 255, (ifindex >> 8) & 255, ifindex & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Add a link (bridge or a device a test puts on the host) with its per-link IPv6 sysctls. */
export function addLink(data: MockHostData, link: Omit<MockLink, 'ifindex' | 'mac' | 'mtu' | 'up'> & Partial<MockLink>, op?: Operation): MockLink {
  checkLinkName(link.name, op);
  if (data.links.has(link.name)) fail('EEXIST', `RTNETLINK answers: File exists (device "${link.name}")`, op);
  const ifindex = data.nextIfindex++;
  const created: MockLink = { mac: randomMac(ifindex), mtu: 1500, up: false, ...link, ifindex };
  data.links.set(created.name, created);
  for (const setting of PER_LINK_IPV6) {
    data.sysctls.set(linkSysctlKey(created.name, setting), data.sysctls.get(`net.ipv6.conf.default.${setting}`) ?? DEFAULT_SYSCTLS[`net.ipv6.conf.default.${setting}`] ?? '0');
  }
  return created;
}

/** `link.create-bridge`: one `ip link add NAME type bridge [address] [mtu] stp_state forward_delay`. */
export function createBridge(data: MockHostData, op: CreateBridgeOp): Operation[] {
  checkLinkName(op.name, op);
  let mac: string | undefined;
  if (op.mac !== undefined) {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(op.mac)) fail('EINVAL', `'${op.mac}' is not a MAC address`, op);
    const first = parseInt(op.mac.slice(0, 2), 16);
    if ((first & 1) === 1 || op.mac === '00:00:00:00:00:00') {
      fail('EADDRNOTAVAIL', `RTNETLINK answers: Cannot assign requested address (MAC ${op.mac} is not unicast)`, op);
    }
    mac = op.mac;
  }
  if (op.mtu !== undefined && (!Number.isInteger(op.mtu) || op.mtu < 68 || op.mtu > 65535)) {
    fail('EINVAL', `mtu ${op.mtu} is outside 68..65535`, op);
  }
  if (!Number.isInteger(op.forwardDelay) || op.forwardDelay < 0 || op.forwardDelay > 0xffffffff) {
    fail('EINVAL', `forward delay ${op.forwardDelay} does not fit the 32-bit netlink attribute`, op);
  }
  // br_changelink sets the forward delay before it turns STP on, and turning STP on
  // (br_stp_start) pulls the delay into 2..30 s. So a bridge created with stp_state 1 never
  // refuses a delay: 0 reads back 200 (testbed.md §1, also what libvirtd ends up with).
  const forwardDelay = op.stp ? Math.min(MAX_STP_FORWARD_DELAY, Math.max(MIN_STP_FORWARD_DELAY, op.forwardDelay)) : op.forwardDelay;
  addLink(data, {
    name: op.name,
    kind: 'bridge',
    ...(mac ? { mac } : {}),
    ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
    stp: op.stp,
    forwardDelay,
    vlanFiltering: false,
  }, op);
  return [{ kind: 'link.delete', name: op.name }];
}

/**
 * Change a bridge's forward delay as `ip link set BR type bridge forward_delay N` (or sysfs) does:
 * with STP on, a value outside 200..3000 cs is refused with ERANGE.
 */
export function setForwardDelay(data: MockHostData, dev: string, forwardDelay: number): void {
  const link = data.links.get(dev);
  if (!link) fail('ENODEV', `Cannot find device "${dev}"`);
  if (link.kind !== 'bridge') fail('EOPNOTSUPP', `${dev} is not a bridge`);
  if (link.stp && (forwardDelay < MIN_STP_FORWARD_DELAY || forwardDelay > MAX_STP_FORWARD_DELAY)) {
    fail('ERANGE', `RTNETLINK answers: Numerical result out of range (forward delay ${forwardDelay} with STP on)`);
  }
  link.forwardDelay = forwardDelay;
}

/** The operations that would recreate a link as it is now (for the undo of a delete). */
function recreateLink(data: MockHostData, link: MockLink): Operation[] {
  if (link.kind !== 'bridge') return [];
  const ops: Operation[] = [
    { kind: 'link.create-bridge', name: link.name, mac: link.mac, mtu: link.mtu, stp: link.stp ?? false, forwardDelay: link.forwardDelay ?? 0 },
  ];
  for (const setting of PER_LINK_IPV6) {
    const key = linkSysctlKey(link.name, setting);
    const value = data.sysctls.get(key);
    if (value !== undefined && value !== data.sysctls.get(`net.ipv6.conf.default.${setting}`)) {
      ops.push({ kind: 'sysctl.set', key, value, keepOnTeardown: false });
    }
  }
  if (link.vlanFiltering) ops.push({ kind: 'link.set-bridge-option', dev: link.name, option: 'vlan_filtering', value: 1, previous: 0 });
  for (const a of data.addresses) {
    if (a.dev === link.name) ops.push(addressAddOf(a));
  }
  if (link.up) ops.push({ kind: 'link.set-state', dev: link.name, up: true });
  for (const r of data.routes) {
    if (r.dev === link.name) ops.push(routeAddOf(r));
  }
  return ops;
}

function addressAddOf(a: MockAddress): AddAddressOp {
  return { kind: 'address.add', dev: a.dev, family: a.family, address: a.address, prefix: a.prefix, ...(a.broadcast ? { broadcast: a.broadcast } : {}) };
}

function routeAddOf(r: MockRoute): AddRouteOp {
  return { kind: 'route.add', dev: r.dev, family: r.family, destination: r.destination, prefix: r.prefix, gateway: r.gateway, metric: r.metric, ignoreErrors: false };
}

/** `link.delete`: the link goes, with its addresses, routes and per-link sysctls. */
export function deleteLink(data: MockHostData, op: DeleteLinkOp): Operation[] {
  const link = linkOf(data, op.name, op);
  const undo = recreateLink(data, link);
  data.links.delete(link.name);
  data.addresses = data.addresses.filter((a) => a.dev !== link.name);
  data.routes = data.routes.filter((r) => r.dev !== link.name);
  data.tcFilters = data.tcFilters.filter((f) => f.dev !== link.name);
  for (const setting of PER_LINK_IPV6) data.sysctls.delete(linkSysctlKey(link.name, setting));
  return undo;
}

/** `link.set-bridge-option vlan_filtering`. */
export function setBridgeOption(data: MockHostData, op: SetBridgeOptionOp): Operation[] {
  const link = linkOf(data, op.dev, op);
  if (link.kind !== 'bridge') fail('EOPNOTSUPP', `RTNETLINK answers: Operation not supported (${op.dev} is not a bridge)`, op);
  if (op.value !== 0 && op.value !== 1) fail('EINVAL', `vlan_filtering must be 0 or 1, not ${op.value}`, op);
  const previous = link.vlanFiltering ? 1 : 0;
  if (previous === op.value) return [];
  link.vlanFiltering = op.value === 1;
  return [{ kind: 'link.set-bridge-option', dev: op.dev, option: op.option, value: previous, previous: op.value }];
}

/**
 * `link.set-state`. Taking a link down also takes, as the kernel does, its static routes and its
 * IPv6 addresses (`keep_addr_on_down` 0, the default).
 */
export function setLinkState(data: MockHostData, op: SetLinkStateOp): Operation[] {
  const link = linkOf(data, op.dev, op);
  if (link.up === op.up) return [];
  link.up = op.up;
  const undo: Operation[] = [{ kind: 'link.set-state', dev: op.dev, up: !op.up }];
  if (!op.up) {
    // Bringing the link back up does not bring these back: the undo re-adds them.
    if (data.sysctls.get(linkSysctlKey(link.name, 'keep_addr_on_down')) !== '1') {
      for (const a of data.addresses) if (a.dev === link.name && a.family === 'ipv6') undo.push(addressAddOf(a));
      data.addresses = data.addresses.filter((a) => !(a.dev === link.name && a.family === 'ipv6'));
    }
    for (const r of data.routes) if (r.dev === link.name) undo.push(routeAddOf(r));
    data.routes = data.routes.filter((r) => r.dev !== link.name);
  }
  return undo;
}

/** `address.add`: needs the link (ENODEV), IPv6 enabled on it (EACCES), and no such address yet (EEXIST). */
export function addAddress(data: MockHostData, op: AddAddressOp): Operation[] {
  linkOf(data, op.dev, op);
  const address = canonicalAddress(op.address, op.family, op);
  checkPrefix(op.prefix, op.family, op);
  let broadcast: string | undefined;
  if (op.broadcast !== undefined) {
    if (op.family !== 'ipv4') fail('EINVAL', 'only IPv4 addresses have a broadcast address', op);
    broadcast = canonicalAddress(op.broadcast, 'ipv4', op);
  }
  if (op.family === 'ipv6' && data.sysctls.get(linkSysctlKey(op.dev, 'disable_ipv6')) === '1') {
    fail('EACCES', `RTNETLINK answers: Permission denied (IPv6 is disabled on ${op.dev})`, op);
  }
  // IPv4 keys an address by address and prefix (the same address with another prefix is a
  // secondary); IPv6 by address alone.
  const clash = data.addresses.find(
    (a) => a.dev === op.dev && a.family === op.family && a.address === address && (op.family === 'ipv6' || a.prefix === op.prefix),
  );
  if (clash) fail('EEXIST', `RTNETLINK answers: File exists (${address}/${clash.prefix} is already on ${op.dev})`, op);
  const added: MockAddress = { dev: op.dev, family: op.family, address, prefix: op.prefix, ...(broadcast ? { broadcast } : {}) };
  data.addresses.push(added);
  return [{ kind: 'address.delete', dev: op.dev, family: op.family, address, prefix: op.prefix }];
}

/** `address.delete`: EADDRNOTAVAIL when absent. Removing a link's last IPv4 address drops its IPv4 routes. */
export function deleteAddress(data: MockHostData, op: DeleteAddressOp): Operation[] {
  linkOf(data, op.dev, op);
  const address = canonicalAddress(op.address, op.family, op);
  const index = data.addresses.findIndex(
    (a) => a.dev === op.dev && a.family === op.family && a.address === address && a.prefix === op.prefix,
  );
  if (index < 0) fail('EADDRNOTAVAIL', `RTNETLINK answers: Cannot assign requested address (${address}/${op.prefix} is not on ${op.dev})`, op);
  const [removed] = data.addresses.splice(index, 1);
  const undo: Operation[] = [];
  if (op.family === 'ipv4' && !data.addresses.some((a) => a.dev === op.dev && a.family === 'ipv4')) {
    const dropped = data.routes.filter((r) => r.dev === op.dev && r.family === 'ipv4');
    data.routes = data.routes.filter((r) => !(r.dev === op.dev && r.family === 'ipv4'));
    undo.push(...dropped.map(routeAddOf));
  }
  undo.unshift(addressAddOf(removed!));
  return undo;
}

function routeKeyMatches(r: MockRoute, family: string, destination: string, prefix: number, metric: number): boolean {
  return r.family === family && r.destination === destination && r.prefix === prefix && r.metric === metric;
}

/**
 * `route.add`: the link must exist (ENODEV) and be up (ENETDOWN), the gateway must be on it
 * (in the subnet of one of its addresses, or IPv6 link-local: else ENETUNREACH), the destination
 * must be a network address (EINVAL) and the route new (EEXIST, same destination, prefix, metric).
 */
export function addRoute(data: MockHostData, op: AddRouteOp): Operation[] {
  const link = linkOf(data, op.dev, op);
  const destination = canonicalAddress(op.destination, op.family, op);
  const gateway = canonicalAddress(op.gateway, op.family, op);
  checkPrefix(op.prefix, op.family, op);
  if (networkAddress(destination, op.prefix) !== destination) {
    fail('EINVAL', `Error: Invalid prefix for given prefix length (${destination}/${op.prefix})`, op);
  }
  const metric = op.metric ?? (op.family === 'ipv4' ? 0 : 1024);
  if (!Number.isInteger(metric) || metric < 0 || metric > 0xffffffff) fail('EINVAL', `metric ${metric} is not valid`, op);
  if (!link.up) fail('ENETDOWN', `Error: Nexthop device is not up (${op.dev})`, op);
  const onLink =
    (op.family === 'ipv6' && isLinkLocal6(gateway)) ||
    data.addresses.some((a) => a.dev === op.dev && a.family === op.family && inSubnet(gateway, a.address, a.prefix));
  if (!onLink) fail('ENETUNREACH', `RTNETLINK answers: Network is unreachable (gateway ${gateway} is not on ${op.dev})`, op);
  if (data.routes.some((r) => routeKeyMatches(r, op.family, destination, op.prefix, metric))) {
    fail('EEXIST', `RTNETLINK answers: File exists (route to ${destination}/${op.prefix} metric ${metric})`, op);
  }
  data.routes.push({ dev: op.dev, family: op.family, destination, prefix: op.prefix, gateway, metric });
  return [{ kind: 'route.delete', dev: op.dev, family: op.family, destination, prefix: op.prefix, gateway, metric }];
}

/** `route.delete`: ESRCH when no such route. */
export function deleteRoute(data: MockHostData, op: DeleteRouteOp): Operation[] {
  linkOf(data, op.dev, op);
  const destination = canonicalAddress(op.destination, op.family, op);
  const gateway = canonicalAddress(op.gateway, op.family, op);
  const metric = op.metric ?? (op.family === 'ipv4' ? 0 : 1024);
  const index = data.routes.findIndex((r) => r.dev === op.dev && r.gateway === gateway && routeKeyMatches(r, op.family, destination, op.prefix, metric));
  if (index < 0) fail('ESRCH', `RTNETLINK answers: No such process (no route to ${destination}/${op.prefix} via ${gateway} dev ${op.dev})`, op);
  const [removed] = data.routes.splice(index, 1);
  return [routeAddOf(removed!)];
}
