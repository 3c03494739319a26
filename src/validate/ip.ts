/**
 * `<ip>`: family, netmask and prefix, the per-mode rule, one DHCP section per family, `<tftp>`,
 * `<bootp>` and `localPtr`. DHCP ranges and hosts are checked in dhcp.ts.
 *
 * @module
 */
import { effectivePrefix, Ipv4Address, isIpv6, netmaskToPrefix, type Ip, type Network } from '../model/index.js';
import { isIpAddress, Subnet } from './addr.js';
import { validateDhcp } from './dhcp.js';
import { modeOf, ownsBridge } from './modes.js';
import { q, type Problems } from './problem.js';

/** True for an IPv4 multicast/reserved (class D/E, 224.0.0.0/3) or an IPv6 multicast address. */
export function isMulticastOrReserved(address: string): boolean {
  if (isIpv6(address)) return address.toLowerCase().startsWith('ff');
  return Number(address.slice(0, address.indexOf('.'))) >= 224;
}

/**
 * The subnet of an `<ip>` for other checks (route gateways), or undefined when its address,
 * family, netmask or prefix is broken. Reports nothing.
 */
export function subnetOf(ip: Ip): Subnet | undefined {
  if (!isIpAddress(ip.address)) return undefined;
  const v6 = isIpv6(ip.address);
  if ((ip.family === 'ipv6') !== v6) return undefined;
  if (ip.netmask !== undefined && (v6 || !Ipv4Address.is(ip.netmask) || netmaskToPrefix(ip.netmask) === undefined)) return undefined;
  if (ip.prefix !== undefined && (!Number.isInteger(ip.prefix) || ip.prefix < 0 || ip.prefix > (v6 ? 128 : 32))) return undefined;
  const prefix = effectivePrefix(ip);
  return prefix === undefined ? undefined : new Subnet(ip.address, prefix);
}

/**
 * The prefix of an `<ip>` whose family and mask are consistent, or undefined when an earlier
 * problem (reported here) makes it meaningless.
 */
function checkAddressing(ip: Ip, path: string, c: Problems): number | undefined {
  const v6 = isIpv6(ip.address);
  let ok = true;
  if (ip.family === 'ipv6' ? !v6 : v6) {
    c.error(
      'ip.family.mismatch',
      `${path}/@address`,
      ip.family === 'ipv6'
        ? `family 'ipv6' specified for non-IPv6 address ${q(ip.address)} in ${c.net}`
        : `${ip.family === undefined ? 'no family' : `family ${q(ip.family)}`} specified for non-IPv4 address ${q(ip.address)} in ${c.net} (an IPv6 address needs family='ipv6')`,
    );
    ok = false;
  }
  if (ip.netmask !== undefined && !Ipv4Address.is(ip.netmask)) {
    c.error('ip.address.invalid', `${path}/@netmask`, `invalid netmask ${q(ip.netmask)} for ${q(ip.address)} in ${c.net}: a netmask is an IPv4 address`);
    ok = false;
  } else if (ip.netmask !== undefined) {
    if (v6) {
      c.error('ip.netmask.ipv6', `${path}/@netmask`, `netmask ${q(ip.netmask)} not allowed for IPv6 address ${q(ip.address)} in ${c.net}`);
      ok = false;
    }
    if (ip.prefix !== undefined && ip.prefix > 0) {
      c.error('ip.prefix-and-netmask', path, `IP address ${q(ip.address)} of ${c.net} cannot have both a prefix (${ip.prefix}) and a netmask (${q(ip.netmask)})`);
      ok = false;
    }
  }
  if (ip.prefix !== undefined && !(Number.isInteger(ip.prefix) && ip.prefix >= 0 && ip.prefix <= (v6 ? 128 : 32))) {
    c.error('ip.prefix.out-of-range', `${path}/@prefix`, `invalid ${v6 ? 'IPv6' : 'IPv4'} prefix ${ip.prefix} for ${q(ip.address)} in ${c.net}: must be 0..${v6 ? 128 : 32}`);
    ok = false;
  }
  if (isMulticastOrReserved(ip.address)) {
    c.warning('ip.address.multicast', `${path}/@address`, `IP address ${q(ip.address)} of ${c.net} is a multicast or reserved address, not usable on a bridge`);
  }
  if (!ok) return undefined;
  if (ip.netmask !== undefined && netmaskToPrefix(ip.netmask) === undefined) {
    if (c.runtime) c.error('ip.netmask.non-contiguous', `${path}/@netmask`, `netmask ${q(ip.netmask)} of ${q(ip.address)} in ${c.net} is not contiguous`);
    return undefined;
  }
  const prefix = effectivePrefix(ip);
  if (prefix === undefined && c.runtime) {
    c.error('ip.prefix.undetermined', path, `IP address ${q(ip.address)} of ${c.net} has no prefix or netmask and, being class D or E, no default prefix`);
  }
  return prefix;
}

/** Checks of every `<ip>` and its children. */
export function validateIps(network: Network, c: Problems): void {
  const ips = network.ips ?? [];
  const mode = modeOf(network);
  if (ips.length > 0 && !ownsBridge(mode)) {
    c.error('ip.not-allowed', '/network/ip[1]', `unsupported <ip> element (${q(ips[0]!.address)}) in ${c.net} with forward mode='${mode}'`);
  }
  let dhcp4: string | undefined;
  let dhcp6: string | undefined;
  ips.forEach((ip, i) => {
    const path = `/network/ip[${i + 1}]`;
    if (!isIpAddress(ip.address)) {
      c.error('ip.address.invalid', `${path}/@address`, `invalid IP address ${q(ip.address)} in ${c.net}`);
      return;
    }
    const v6 = isIpv6(ip.address);
    const prefix = checkAddressing(ip, path, c);

    const hasDhcp = (ip.dhcp?.ranges?.length ?? 0) + (ip.dhcp?.hosts?.length ?? 0) > 0;
    if (hasDhcp) {
      const first = v6 ? dhcp6 : dhcp4;
      if (first !== undefined) {
        c.error(
          'ip.dhcp.multiple',
          `${path}/dhcp`,
          `multiple ${v6 ? 'IPv6' : 'IPv4'} dhcp sections found (${q(first)} and ${q(ip.address)}) in ${c.net}: dhcp is supported only for a single ${v6 ? 'IPv6' : 'IPv4'} address on each network`,
        );
      } else if (v6) dhcp6 = ip.address;
      else dhcp4 = ip.address;
    }

    if (ip.tftp !== undefined) {
      if (v6) c.error('ip.tftp.ipv6', `${path}/tftp`, `unsupported <tftp> element in IPv6 address ${q(ip.address)} of ${c.net}`);
      if (ip.tftp.root === '') c.error('ip.tftp.root.empty', `${path}/tftp/@root`, `<tftp> of ${q(ip.address)} in ${c.net} has an empty root`);
      c.text(ip.tftp.root, `${path}/tftp/@root`, 'tftp root');
    }
    const bootp = ip.dhcp?.bootp;
    if (bootp !== undefined) {
      if (v6) c.error('ip.bootp.ipv6', `${path}/dhcp/bootp`, `<bootp> (file ${q(bootp.file)}) is IPv4 only, but is on IPv6 address ${q(ip.address)} of ${c.net}`);
      if (bootp.file === '') c.error('ip.bootp.file.empty', `${path}/dhcp/bootp/@file`, `<bootp> of ${q(ip.address)} in ${c.net} has an empty file`);
      c.text(bootp.file, `${path}/dhcp/bootp/@file`, 'bootp file');
    }

    if (ip.localPtr === true && prefix !== undefined && c.runtime) {
      const fine = v6 ? prefix % 4 === 0 && prefix >= 4 && prefix <= 124 : prefix === 8 || prefix === 16 || prefix === 24;
      if (!fine) {
        c.error(
          'ip.local-ptr.prefix',
          `${path}/@localPtr`,
          `PTR domain for ${q(ip.address)}/${prefix} in ${c.net} cannot be automatically created: localPtr needs ${v6 ? 'an IPv6 prefix that is a multiple of 4 (4..124)' : 'an IPv4 prefix of 8, 16 or 24'}`,
        );
      }
    }

    if (ip.dhcp !== undefined) validateDhcp(ip, prefix === undefined ? undefined : new Subnet(ip.address, prefix), path, c);
  });
}
