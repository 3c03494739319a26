/**
 * `<ip>` with `<dhcp>` (ranges, hosts, bootp) and `<tftp>` (`virNetworkIPDefParseXML` and
 * helpers), including libvirt's range check `virSocketAddrGetRange`.
 *
 * @module
 */
import { libvirtPrefix, rangeFault, type RangeFault } from '../../model/inet.js';
import type { Bootp, Dhcp, DhcpHost, DhcpRange, Ip, Lease, LeaseUnit } from '../../model/ip.js';
import type { IpAddress, IpFamily, Ipv4Address, MacAddress, Prefix, UInt } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { collectUnknown, firstChild, readTristate, readUInt, xpathAttr, type ParseContext } from './context.js';
import { specAt } from './schema.js';
import { canonicalIp, macFirstByte, parseCUnsigned, parseIp, type ParsedIp } from './scalars.js';

/** What the range and host checks need to know of the enclosing `<ip>`. */
interface IpInfo {
  address: ParsedIp;
  /** virSocketAddrGetIPPrefix: -1 when there is none (class D/E, non-contiguous netmask). */
  prefix: number;
}

/** `virSocketAddrGetIPPrefix`. */
export function ipPrefix(address: ParsedIp, netmask: ParsedIp | undefined, prefix: number): number {
  return libvirtPrefix(address, netmask?.bytes, prefix);
}

/** The problem `virSocketAddrGetRange` reports for a range, or undefined when it is fine. */
export type RangeProblem =
  | 'dhcp.range.family-mismatch'
  | 'dhcp.range.bad-prefix'
  | 'dhcp.range.outside-network'
  | 'dhcp.range.network-address'
  | 'dhcp.range.broadcast-address'
  | 'dhcp.range.too-large'
  | 'dhcp.range.reversed';

/**
 * `virSocketAddrGetRange(start, end, network, prefix)`, in its order of checks. With no network
 * (NAT address ranges) only the size/order checks run. IPv4 ranges must share their first two
 * bytes (libvirt's "legacy" size check), IPv6 ranges their first seven groups.
 */
export function checkRange(start: ParsedIp, end: ParsedIp, net?: IpInfo): RangeProblem | undefined {
  const fault = net === undefined ? rangeFault(start, end) : rangeFault(start, end, net.address, net.prefix);
  return fault === undefined ? undefined : RANGE_PROBLEMS[fault];
}

const RANGE_PROBLEMS: Record<RangeFault, RangeProblem> = {
  'family-mismatch': 'dhcp.range.family-mismatch',
  'network-family-mismatch': 'dhcp.range.family-mismatch',
  'bad-prefix': 'dhcp.range.bad-prefix',
  'outside-network': 'dhcp.range.outside-network',
  'network-address': 'dhcp.range.network-address',
  'broadcast-address': 'dhcp.range.broadcast-address',
  'too-large': 'dhcp.range.too-large',
  reversed: 'dhcp.range.reversed',
};

/** A sentence for a {@link RangeProblem}. */
export function rangeMessage(problem: RangeProblem, start: string, end: string, where: string, net?: IpInfo): string {
  const cidr = net ? `${net.address.text}/${net.prefix}` : '';
  switch (problem) {
    case 'dhcp.range.family-mismatch':
      return `The range ${start} - ${end} in ${where} mixes address families${net ? ` with the network ${net.address.text}` : ''}.`;
    case 'dhcp.range.bad-prefix':
      return `The range ${start} - ${end} in ${where} cannot be checked: the network ${net?.address.text ?? ''} has no valid prefix or netmask.`;
    case 'dhcp.range.outside-network':
      return `The range ${start} - ${end} in ${where} is not entirely within the network ${cidr}.`;
    case 'dhcp.range.network-address':
      return `The range ${start} - ${end} in ${where} starts at the network address of ${cidr}.`;
    case 'dhcp.range.broadcast-address':
      return `The range ${start} - ${end} in ${where} ends at the broadcast address of ${cidr}.`;
    case 'dhcp.range.too-large':
      return `The range ${start} - ${end} in ${where} is too large (more than 65535 addresses).`;
    case 'dhcp.range.reversed':
      return `The range ${start} - ${end} in ${where} is reversed: its start is after its end.`;
  }
}

const LEASE_UNITS: ReadonlySet<string> = new Set(['seconds', 'minutes', 'hours']);

function decodeLease(node: XNode, path: string, ctx: ParseContext): Lease | undefined {
  const expiryText = node.attrs['expiry'];
  if (expiryText === undefined) return undefined;
  const r = parseCUnsigned(expiryText, 0);
  if (!r.ok)
    ctx.fail(
      'lease.expiry.invalid',
      node,
      `${path}/@expiry`,
      `Invalid lease expiry '${expiryText}' in ${ctx.net}: expected a non-negative integer${r.tooLarge ? ' below 2^53' : ''}.`,
    );
  const unit = node.attrs['unit'];
  if (unit !== undefined && !LEASE_UNITS.has(unit))
    ctx.fail('lease.unit.invalid', node, `${path}/@unit`, `Invalid lease unit '${unit}' in ${ctx.net}: expected seconds, minutes or hours.`);
  const effective = unit ?? 'minutes';
  if (r.value > 0 && ((effective === 'seconds' && r.value < 120) || (effective === 'minutes' && r.value < 2)))
    ctx.fail('lease.too-short', node, `${path}/@expiry`, `The lease time ${expiryText} ${effective} in ${ctx.net} is shorter than the minimum of 2 minutes.`);
  const lease: Lease = { expiry: r.value as UInt, unit: effective as LeaseUnit };
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('ip', 'dhcp', 'range', 'lease'));
    if (u) lease.unknown = u;
  }
  return lease;
}

function decodeRange(node: XNode, path: string, ctx: ParseContext, ip: IpInfo): DhcpRange {
  const startText = node.attrs['start'];
  if (startText === undefined) ctx.fail('dhcp.range.start.missing', node, path, `A DHCP <range> in ${ctx.net} has no 'start' attribute.`);
  const start = parseIp(startText);
  if (start === undefined)
    ctx.fail('dhcp.range.start.invalid', node, `${path}/@start`, `Invalid DHCP range start address '${startText}' in ${ctx.net}.`);
  const endText = node.attrs['end'];
  if (endText === undefined) ctx.fail('dhcp.range.end.missing', node, path, `A DHCP <range> in ${ctx.net} has no 'end' attribute.`);
  const end = parseIp(endText);
  if (end === undefined) ctx.fail('dhcp.range.end.invalid', node, `${path}/@end`, `Invalid DHCP range end address '${endText}' in ${ctx.net}.`);
  const problem = checkRange(start, end, ip);
  if (problem !== undefined) ctx.fail(problem, node, path, rangeMessage(problem, start.text, end.text, ctx.net, ip));
  const range: DhcpRange = { start: start.text as IpAddress, end: end.text as IpAddress };
  const leaseNode = firstChild(node, 'lease');
  if (leaseNode !== undefined) {
    const lease = decodeLease(leaseNode, `${path}/lease`, ctx);
    if (lease !== undefined) range.lease = lease;
  }
  return range;
}

const ID_CHARS = /[^0-9a-fA-F:]/;

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function decodeHost(node: XNode, path: string, ctx: ParseContext, ip: IpInfo): DhcpHost {
  const mac = node.attrs['mac'];
  if (mac !== undefined) {
    if (ip.address.v6)
      ctx.fail(
        'dhcp.host.mac.ipv6',
        node,
        `${path}/@mac`,
        `The static host with MAC address '${mac}' in ${ctx.net} is in an IPv6 <ip>; IPv6 hosts are matched by 'id' or 'name', not by MAC address.`,
      );
    const first = macFirstByte(mac);
    if (first < 0) ctx.fail('dhcp.host.mac.invalid', node, `${path}/@mac`, `Invalid MAC address '${mac}' in a static host of ${ctx.net}.`);
    if (first & 1)
      ctx.fail('dhcp.host.mac.multicast', node, `${path}/@mac`, `The MAC address '${mac}' of a static host in ${ctx.net} is a multicast address; a unicast one is needed.`);
  }
  const id = node.attrs['id'];
  if (id !== undefined) {
    const bad = ID_CHARS.exec(id);
    if (bad)
      ctx.fail('dhcp.host.id.invalid-char', node, `${path}/@id`, `Invalid character '${bad[0]}' in the id '${id}' of a static host in ${ctx.net}.`);
  }
  const name = node.attrs['name'];
  if (name !== undefined && !isAsciiAlnum(name.charCodeAt(0)))
    ctx.fail('dhcp.host.name.invalid', node, `${path}/@name`, `The host name '${name}' in ${ctx.net} must start with a letter or a digit.`);
  const ipText = node.attrs['ip'];
  let addr: string | undefined;
  if (ipText !== undefined) {
    addr = canonicalIp(ipText);
    if (addr === undefined)
      ctx.fail('dhcp.host.ip.invalid', node, `${path}/@ip`, `Invalid IP address '${ipText}' in a static host of ${ctx.net}.`);
  }
  if (ip.address.v6) {
    if (id === undefined && name === undefined)
      ctx.fail('dhcp.host.id-or-name.missing', node, path, `A static host in the IPv6 <ip> of ${ctx.net} needs an 'id' or a 'name' attribute.`);
  } else if (mac === undefined && name === undefined)
    ctx.fail('dhcp.host.mac-or-name.missing', node, path, `A static host in the IPv4 <ip> of ${ctx.net} needs a 'mac' or a 'name' attribute.`);
  if (addr === undefined) ctx.fail('dhcp.host.ip.missing', node, path, `A static host in ${ctx.net} has no 'ip' attribute.`);
  const host: DhcpHost = { ip: addr as IpAddress };
  if (mac !== undefined) host.mac = mac as MacAddress;
  if (id !== undefined) host.id = id;
  if (name !== undefined) host.name = name;
  const leaseNode = firstChild(node, 'lease');
  if (leaseNode !== undefined) {
    const lease = decodeLease(leaseNode, `${path}/lease`, ctx);
    if (lease !== undefined) host.lease = lease;
  }
  return host;
}

function decodeDhcp(node: XNode, path: string, ctx: ParseContext, ip: IpInfo): Dhcp {
  const dhcp: Dhcp = {};
  const ranges: DhcpRange[] = [];
  const hosts: DhcpHost[] = [];
  const rangeSpec = specAt('ip', 'dhcp', 'range');
  const hostSpec = specAt('ip', 'dhcp', 'host');
  const preserve = ctx.preserve;
  for (const c of node.children) {
    if (c.name !== 'range') continue;
    const r = decodeRange(c, `${path}/range[${ranges.length + 1}]`, ctx, ip);
    if (preserve) {
      const u = collectUnknown(c, rangeSpec);
      if (u) r.unknown = u;
    }
    ranges.push(r);
  }
  for (const c of node.children) {
    if (c.name !== 'host') continue;
    const h = decodeHost(c, `${path}/host[${hosts.length + 1}]`, ctx, ip);
    if (preserve) {
      const u = collectUnknown(c, hostSpec);
      if (u) h.unknown = u;
    }
    hosts.push(h);
  }
  if (ranges.length) dhcp.ranges = ranges;
  if (hosts.length) dhcp.hosts = hosts;
  const bootp = firstChild(node, 'bootp');
  if (bootp !== undefined && !ip.address.v6) {
    const bpath = `${path}/bootp`;
    const server = bootp.attrs['server'];
    const file = bootp.attrs['file'];
    if (file === undefined) ctx.fail('bootp.file.missing', bootp, bpath, `The <bootp> of ${ctx.net} has no 'file' attribute.`);
    const out: Bootp = { file };
    if (server !== undefined) {
      const s = parseIp(server);
      if (s === undefined)
        ctx.fail('bootp.server.invalid', bootp, `${bpath}/@server`, `Invalid bootp server '${server}' in ${ctx.net}: expected a numeric IP address.`);
      out.server = s.text as IpAddress;
    }
    if (preserve) {
      const u = collectUnknown(bootp, specAt('ip', 'dhcp', 'bootp'));
      if (u) out.unknown = u;
    }
    dhcp.bootp = out;
  }
  if (preserve) {
    const u = collectUnknown(node, specAt('ip', 'dhcp'));
    if (u) dhcp.unknown = u;
  }
  return dhcp;
}

/** Decode one `<ip>`. */
export function decodeIp(node: XNode, path: string, ctx: ParseContext): Ip {
  const family = xpathAttr(node, 'family');
  const addressText = xpathAttr(node, 'address');
  if (addressText === undefined) ctx.fail('ip.address.missing', node, path, `An <ip> of ${ctx.net} has no 'address' attribute.`);
  const address = parseIp(addressText);
  if (address === undefined)
    ctx.fail('ip.address.invalid', node, `${path}/@address`, `Invalid IP address '${addressText}' in ${ctx.net}.`);
  const netmaskText = xpathAttr(node, 'netmask');
  let netmask: ParsedIp | undefined;
  if (netmaskText !== undefined) {
    netmask = parseIp(netmaskText);
    if (netmask === undefined)
      ctx.fail('ip.netmask.invalid', node, `${path}/@netmask`, `Invalid netmask '${netmaskText}' in ${ctx.net}.`);
  }
  const prefix = readUInt(ctx, node, path, 'prefix', 'ip.prefix.invalid') ?? 0;
  const localPtr = readTristate(ctx, node, path, 'localPtr', 'ip.local-ptr.invalid');

  if (family === undefined || family === 'ipv4') {
    if (address.v6)
      ctx.fail(
        'ip.family.mismatch',
        node,
        `${path}/@address`,
        `The address '${addressText}' in ${ctx.net} is IPv6, but the <ip> ${family === undefined ? "has no family (IPv6 needs family='ipv6')" : "says family='ipv4'"}.`,
      );
    if (netmask !== undefined) {
      if (netmask.v6)
        ctx.fail(
          'ip.netmask.invalid',
          node,
          `${path}/@netmask`,
          `The netmask '${netmaskText}' for address '${addressText}' in ${ctx.net} is not IPv4 (both must be IPv4).`,
        );
      if (prefix > 0)
        ctx.fail('ip.netmask.with-prefix', node, `${path}/@prefix`, `An <ip> of ${ctx.net} has both a prefix and a netmask; give only one.`);
    } else if (prefix > 32)
      ctx.fail('ip.prefix.invalid', node, `${path}/@prefix`, `Invalid IPv4 prefix ${prefix} in ${ctx.net} (at most 32).`);
  } else if (family === 'ipv6') {
    if (!address.v6)
      ctx.fail('ip.family.mismatch', node, `${path}/@address`, `The <ip> of ${ctx.net} says family='ipv6' but its address '${addressText}' is not IPv6.`);
    if (netmask !== undefined)
      ctx.fail('ip.netmask.ipv6', node, `${path}/@netmask`, `A netmask is not allowed for the IPv6 address '${addressText}' in ${ctx.net}; use prefix.`);
    if (prefix > 128)
      ctx.fail('ip.prefix.invalid', node, `${path}/@prefix`, `Invalid IPv6 prefix ${prefix} in ${ctx.net} (at most 128).`);
  } else ctx.fail('ip.family.invalid', node, `${path}/@family`, `Unknown address family '${family}' in ${ctx.net}: expected ipv4 or ipv6.`);

  const ip: Ip = { address: address.text as IpAddress };
  if (family !== undefined) ip.family = family as IpFamily;
  if (netmask !== undefined) ip.netmask = netmask.text as Ipv4Address;
  if (prefix > 0) ip.prefix = prefix as Prefix;
  if (localPtr !== undefined) ip.localPtr = localPtr;

  const info: IpInfo = { address, prefix: ipPrefix(address, netmask, prefix) };
  const dhcpNode = firstChild(node, 'dhcp');
  if (dhcpNode !== undefined) ip.dhcp = decodeDhcp(dhcpNode, `${path}/dhcp`, ctx, info);
  const tftp = firstChild(node, 'tftp');
  if (tftp !== undefined) {
    if (address.v6)
      ctx.fail('tftp.ipv6', tftp, `${path}/tftp`, `<tftp> is only supported in an IPv4 <ip>, not in the IPv6 <ip> of ${ctx.net}.`);
    const root = xpathAttr(tftp, 'root');
    if (root !== undefined) {
      ip.tftp = { root };
      if (ctx.preserve) {
        const u = collectUnknown(tftp, specAt('ip', 'tftp'));
        if (u) ip.tftp.unknown = u;
      }
    }
  }
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('ip'));
    if (u) ip.unknown = u;
  }
  return ip;
}

/** The prefix the gateway check uses for a decoded `<ip>` (undefined for -1). */
export function ipNetwork(ip: Ip): { address: ParsedIp; prefix: number } {
  const address = parseIp(ip.address)!;
  const netmask = ip.netmask !== undefined ? parseIp(ip.netmask) : undefined;
  return { address, prefix: ipPrefix(address, netmask, ip.prefix ?? 0) };
}
