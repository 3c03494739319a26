/**
 * The DHCP hosts file (`dhcp-hostsfile=`): one line per `<dhcp><host>` of the network's DHCP
 * `<ip>`s, IPv4 first (`hostsfileAdd` in libvirt's virdnsmasq.c).
 *
 * @module
 */
import type { DhcpHost } from '../../model/ip.js';
import { CompileError } from '../errors.js';
import { isCanonicalIpv4 } from '../../model/inet.js';
import { MacAddress } from '../../model/scalars.js';
import { formatParsed, parseAddress } from './inet.js';
import { formatLease } from './lease.js';
import { COMMA, UNSAFE, confToken, forbid } from './safety.js';

const HOST_NAME_FORBIDDEN = forbid({
  ',': 'a comma would end this field and shift the ones after it',
  ':': "a ':' would make dnsmasq read the field as a MAC address or tag",
});

/**
 * Check a DHCP host name for the hosts file. dnsmasq decides what each comma-separated field of
 * a `dhcp-host` line is by its form (a MAC or `tag:`/`set:`/`id:` has a `:`, an address or
 * lease time starts with a digit, `infinite`, `ignore`), so a name must start with a letter or
 * `_` (libvirt's own rule), hold no `:` or `,`, and not be one of those keywords.
 */
export function checkHostName(name: string, path: string): string {
  confToken(name, path, HOST_NAME_FORBIDDEN);
  if (!/^[A-Za-z_]/.test(name))
    throw new CompileError(UNSAFE, path, `host name ${JSON.stringify(name)} must start with a letter (dnsmasq would read it as an address or lease time)`);
  if (name === 'infinite' || name === 'ignore')
    throw new CompileError(UNSAFE, path, `host name ${JSON.stringify(name)} is a dnsmasq dhcp-host keyword`);
  return name;
}

/** Names that need none of {@link checkHostName}'s checks: the usual `[A-Za-z_][A-Za-z0-9._-]*`. */
const PLAIN_HOST_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * The hosts-file line of one `<host>`: IPv4 `mac,ip,name` | `name,ip` | `mac,ip`; IPv6
 * `id:<id>,<name>,[ip]` | `<name>,[ip]` | `id:<id>,[ip]`; then `,<lease>` when the host has one.
 * `mac`, `id` and `name` are written as in the XML. `pathOf(index)` is the host's element path;
 * it is only called to report an error, so the common case builds no path strings (a 10,000-host
 * network would otherwise make tens of thousands of them).
 *
 * @example
 * ```ts
 * hostsfileLine({ mac: '00:16:3e:77:e2:ed', ip: '192.168.122.10', name: 'a' }, 'ipv4', 0, () => '/network/ip/dhcp/host');
 * // '00:16:3e:77:e2:ed,192.168.122.10,a'
 * ```
 */
export function hostsfileLine(host: DhcpHost, family: 'ipv4' | 'ipv6', index: number, pathOf: (index: number) => string): string {
  // A canonical dotted quad is already what inet_ntop writes: no need to parse it.
  const ip =
    family === 'ipv4' && typeof host.ip === 'string' && isCanonicalIpv4(host.ip) ? host.ip : checkedAddress(host.ip, family, `${pathOf(index)}/@ip`);
  const name =
    host.name === undefined
      ? undefined
      : PLAIN_HOST_NAME.test(host.name) && host.name !== 'infinite' && host.name !== 'ignore'
        ? host.name
        : checkHostName(host.name, `${pathOf(index)}/@name`);
  let line: string;
  if (family === 'ipv6') {
    const id = host.id === undefined ? undefined : confToken(host.id, `${pathOf(index)}/@id`, COMMA);
    if (id === undefined && name === undefined)
      throw new CompileError('dnsmasq.invalid-host', pathOf(index), 'an IPv6 DHCP host needs an id or a name');
    line = `${id !== undefined ? `id:${id}${name !== undefined ? `,${name}` : ''}` : name},[${ip}]`;
  } else {
    const mac = host.mac;
    if (mac !== undefined && !MacAddress.is(mac))
      throw new CompileError(UNSAFE, `${pathOf(index)}/@mac`, `${JSON.stringify(mac)} is not a MAC address`);
    if (mac === undefined && name === undefined)
      throw new CompileError('dnsmasq.invalid-host', pathOf(index), 'an IPv4 DHCP host needs a mac or a name');
    line = mac !== undefined ? (name !== undefined ? `${mac},${ip},${name}` : `${mac},${ip}`) : `${name},${ip}`;
  }
  if (host.lease !== undefined) line += `,${formatLease(host.lease, `${pathOf(index)}/lease`)}`;
  return line;
}

/** The inet_ntop text of a host address, refusing one of the wrong family. */
function checkedAddress(text: string, family: 'ipv4' | 'ipv6', path: string): string {
  const address = parseAddress(text, path);
  if (address.family !== family)
    throw new CompileError('dnsmasq.invalid-host', path, `host address ${text} is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address like its <ip>`);
  return formatParsed(address);
}
