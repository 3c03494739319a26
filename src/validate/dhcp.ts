/**
 * `<dhcp>` of one `<ip>`: ranges (libvirt's `virSocketAddrGetRange`), static hosts, leases.
 *
 * @module
 */
import { addressBytes, isIpv6, MacAddress, type Ip, type Lease } from '../model/index.js';
import { isIpAddress, toBigInt, type Subnet } from './addr.js';
import { isMulticastMac } from './bridge.js';
import { q, type Problems } from './problem.js';

/** libvirt refuses an IPv4 range of more than 65536 addresses ("too large (> 65535)"). */
export const MAX_RANGE_SIZE = 65536n;


/** Finite leases must last at least 2 minutes; 0 is infinite. */
function checkLease(lease: Lease | undefined, path: string, c: Problems): void {
  if (lease === undefined || lease.expiry === 0) return;
  const unit = lease.unit ?? 'minutes';
  const seconds = unit === 'seconds' ? lease.expiry : unit === 'minutes' ? lease.expiry * 60 : lease.expiry * 3600;
  if (seconds < 120) {
    c.error('dhcp.lease.too-short', `${path}/lease/@expiry`, `lease of ${lease.expiry} ${unit} in ${c.net} is shorter than the minimum of 2 minutes`);
  }
}

/** A MAC in one spelling (lowercase, two digits per group), for duplicate detection. */
function canonicalMac(mac: string): string {
  return mac
    .split(':')
    .map((g) => g.toLowerCase().padStart(2, '0'))
    .join(':');
}

/**
 * Checks of the ranges and hosts of `ip` (at `ipPath`). `subnet` is the `<ip>`'s subnet,
 * undefined when its addressing is broken (already reported): then subnet checks are skipped.
 */
export function validateDhcp(ip: Ip, subnet: Subnet | undefined, ipPath: string, c: Problems): void {
  const v6 = isIpv6(ip.address);
  const net = subnet === undefined ? '' : `${ip.address}/${subnet.prefix}`;

  (ip.dhcp?.ranges ?? []).forEach((range, j) => {
    const path = `${ipPath}/dhcp/range[${j + 1}]`;
    checkLease(range.lease, path, c);
    const { start, end } = range;
    const label = `${q(start)} - ${q(end)}`;
    if (!isIpAddress(start) || !isIpAddress(end)) {
      c.error('ip.address.invalid', path, `DHCP range ${label} of ${c.net} holds an invalid IP address`);
      return;
    }
    if (isIpv6(start) !== v6 || isIpv6(end) !== v6) {
      c.error('dhcp.range.family-mismatch', path, `mismatch of address family in DHCP range ${label} for ${q(ip.address)} in ${c.net}`);
      return;
    }
    if (subnet === undefined) return;
    if (!subnet.contains(start) || !subnet.contains(end)) {
      c.error('dhcp.range.outside-network', path, `DHCP range ${label} is not entirely within ${net} in ${c.net}`);
      return;
    }
    if (!v6) {
      if (toBigInt(start) === subnet.first) {
        c.error('dhcp.range.network-address', `${path}/@start`, `start of DHCP range ${label} in ${net} is the network address, in ${c.net}`);
        return;
      }
      if (toBigInt(end) === subnet.last) {
        c.error('dhcp.range.broadcast-address', `${path}/@end`, `end of DHCP range ${label} in ${net} is the broadcast address, in ${c.net}`);
        return;
      }
    }
    const size = toBigInt(end) - toBigInt(start) + 1n;
    if (v6) {
      // libvirt: the first 7 groups (14 bytes) must be equal, so a range spans at most 65536.
      const a = addressBytes(start);
      const b = addressBytes(end);
      for (let k = 0; k < 14; k++) {
        if (a[k] !== b[k]) {
          c.error('dhcp.range.too-large', path, `DHCP range ${label} in ${c.net} is too large (> 65535): an IPv6 range may differ in its last group only`);
          return;
        }
      }
    }
    if (size <= 0n) {
      c.error('dhcp.range.reversed', path, `DHCP range ${label} in ${c.net} is reversed: start is larger than end`);
    } else if (size > MAX_RANGE_SIZE) {
      c.error('dhcp.range.too-large', path, `DHCP range ${label} in ${c.net} is too large (${size} addresses > 65536)`);
    }
  });

  const macs = new Map<string, number>();
  const ips = new Map<string, number>();
  const names = new Map<string, number>();
  (ip.dhcp?.hosts ?? []).forEach((host, j) => {
    const path = `${ipPath}/dhcp/host[${j + 1}]`;
    const who = `static host ${j + 1} (ip ${q(host.ip)})`;
    checkLease(host.lease, path, c);
    if (v6) {
      if (host.id === undefined && host.name === undefined) {
        c.error('dhcp.host.ipv6-needs-id-or-name', path, `${who} in IPv6 ${q(ip.address)} of ${c.net} must have an id or a name`);
      }
      if (host.mac !== undefined) {
        c.error('dhcp.host.mac-on-ipv6', `${path}/@mac`, `invalid to specify MAC address ${q(host.mac)} in ${c.net} IPv6 static host definition`);
      }
    } else if (host.mac === undefined && host.name === undefined) {
      c.error('dhcp.host.ipv4-needs-mac-or-name', path, `${who} in IPv4 ${q(ip.address)} of ${c.net} must have a mac or a name`);
    }
    if (host.mac !== undefined) {
      if (!MacAddress.is(host.mac)) {
        c.error('mac.invalid', `${path}/@mac`, `cannot parse MAC address ${q(host.mac)} of ${who} in ${c.net}`);
      } else {
        if (isMulticastMac(host.mac)) {
          c.error('dhcp.host.mac.multicast', `${path}/@mac`, `expected unicast mac address, found multicast ${q(host.mac)} in ${c.net}`);
        }
        const key = canonicalMac(host.mac);
        const first = macs.get(key);
        if (first === undefined) macs.set(key, j + 1);
        else c.warning('dhcp.host.duplicate-mac', `${path}/@mac`, `MAC address ${q(host.mac)} of static host ${j + 1} is also used by static host ${first} in ${q(ip.address)} of ${c.net}`);
      }
    }
    if (host.id !== undefined) {
      const bad = /[^0-9a-fA-F:]/.exec(host.id);
      if (bad) {
        c.error('dhcp.host.id.invalid-char', `${path}/@id`, `invalid character ${q(bad[0])} in id ${q(host.id)} of ${c.net}: only hex digits and ':' are allowed`);
      }
    }
    if (host.name !== undefined) {
      c.text(host.name, `${path}/@name`, 'DHCP host name');
      // The name also ends a `mac,ip,name` line of dnsmasq's hosts file: a comma would add fields.
      if (!/^[A-Za-z0-9]/.test(host.name) || /[,\s]/.test(host.name)) {
        c.error('dhcp.host.name.invalid', `${path}/@name`, `cannot use host name ${q(host.name)} in ${c.net}: it must start with a letter or digit and hold no comma or whitespace`);
      }
      const first = names.get(host.name);
      if (first === undefined) names.set(host.name, j + 1);
      else c.warning('dhcp.host.duplicate-name', `${path}/@name`, `host name ${q(host.name)} of static host ${j + 1} is also used by static host ${first} in ${q(ip.address)} of ${c.net}`);
    }
    if (!isIpAddress(host.ip)) {
      c.error('ip.address.invalid', `${path}/@ip`, `invalid IP address ${q(host.ip)} in static host definition of ${c.net}`);
      return;
    }
    const first = ips.get(host.ip);
    if (first === undefined) ips.set(host.ip, j + 1);
    else c.warning('dhcp.host.duplicate-ip', `${path}/@ip`, `IP address ${q(host.ip)} of static host ${j + 1} is also used by static host ${first} in ${c.net}`);
    if (isIpv6(host.ip) !== v6) {
      c.warning('dhcp.host.ip.family-mismatch', `${path}/@ip`, `static host IP ${q(host.ip)} is not of the family of its <ip> ${q(ip.address)} in ${c.net}`);
    } else if (subnet !== undefined && !subnet.contains(host.ip)) {
      c.warning('dhcp.host.ip.outside-network', `${path}/@ip`, `static host IP ${q(host.ip)} is outside ${net} in ${c.net}`);
    }
  });
}
