/**
 * dnsmasq's conf file for one network, line for line as libvirt 11.3 writes it
 * (`networkDnsmasqConfContents` in bridge_driver.c), together with the hosts-file lines that the
 * same pass collects.
 *
 * @module
 */
import type { Ip } from '../../model/ip.js';
import type { Network } from '../../model/network.js';
import { CompileError } from '../errors.js';
import { hostsfileLine } from './hostsfile.js';
import { ipv4Netmask } from '../../model/inet.js';
import { dhcpRangeSize, formatParsed, ipPrefix, parseAddress, ptrDomain, type ParsedAddress } from './inet.js';
import { formatLease } from './lease.js';
import { checkNetworkName } from './paths.js';
import { COMMA, COMMA_SLASH, UNSAFE, checkLineLength, confText, confToken, integer, refuseLineBreaks } from './safety.js';

/** Where the conf's file references point, and the optional pid file. */
export interface ConfTargets {
  bridge: string;
  hostsfile: string;
  addnhosts: string;
  pidfile?: string | undefined;
}

/** What one pass over the network produces. */
export interface ConfResult {
  conf: string;
  /**
   * The hosts file: one newline-terminated line per DHCP `<host>`, IPv4 first; undefined when
   * there are none (as libvirt's `dnsmasqDhcpHostsToString`, whose tests then expect no file).
   */
  hostsfile: string | undefined;
}

/** Lines with the element path each came from, for the line-length check's error. */
/**
 * A file being built. Each line is checked against dnsmasq's line length as it is added, while it
 * is still a small string: checking the finished file would mean scanning (and so flattening) a
 * text of hundreds of kilobytes for a large network.
 */
class Lines {
  private done = '';
  private readonly pending: string[] = [];
  count = 0;

  /**
   * The text so far. Lines are joined into flat blocks of {@link BLOCK}: a rope of one small
   * string per line would stay alive to the end and be copied by every young-generation GC,
   * which made the time per host grow with the number of hosts.
   */
  get text(): string {
    this.flush();
    return this.done;
  }

  /** Append a line from the element at `path`. */
  add(line: string, path: string): void {
    checkLineLength(line, this.count, () => path);
    this.push(line);
  }

  /** Append a line from the `index`-th of a list of elements; `pathOf` is only called for an error. */
  addFrom(line: string, pathOf: (index: number) => string, index: number): void {
    checkLineLength(line, this.count, () => pathOf(index));
    this.push(line);
  }

  private push(line: string): void {
    this.pending.push(line);
    this.count++;
    if (this.pending.length === BLOCK) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.done += `${this.pending.join('\n')}\n`;
    this.pending.length = 0;
  }
}

/** Lines per flat block (~16 KB for hosts-file lines, below V8's large-object size). */
const BLOCK = 256;

/**
 * Check a Linux interface name as the kernel does (`dev_valid_name`): 1 to 15 bytes, not `.` or
 * `..`, no `/`, `:` or whitespace — and, for dnsmasq's `interface=`, no `,` (a list), no `*` (a
 * wildcard that would serve every matching interface), no `"` or `#`.
 */
export function checkBridgeName(bridge: string): string {
  const path = 'options.bridge';
  if (typeof bridge !== 'string' || bridge === '') throw new CompileError(UNSAFE, path, 'the bridge name is empty');
  refuseLineBreaks(bridge, path);
  if (Buffer.byteLength(bridge, 'utf8') > 15 || bridge === '.' || bridge === '..' || /[\s/:,*\x00-\x1f\x7f"#]/.test(bridge))
    throw new CompileError(
      UNSAFE,
      path,
      `${JSON.stringify(bridge)} cannot be dnsmasq's interface: an interface name has 1-15 bytes and no whitespace, '/', ':', ',', '*', '"' or '#'`,
    );
  return bridge;
}

const ipPath = (i: number): string => `/network/ip[${i + 1}]`;

interface DhcpIp {
  ip: Ip;
  path: string;
  address: ParsedAddress;
}

/** `networkDnsmasqConfDHCP`: the DHCP block of one family; its hosts go to `hosts`. Returns the lease count. */
function dhcpBlock(lines: Lines, d: DhcpIp, bridge: string, hosts: Lines): number {
  const prefix = ipPrefix(d.ip, d.address, d.path);
  if (prefix < 0 || prefix > 128) throw new CompileError('dnsmasq.invalid-prefix', d.path, `bridge '${bridge}' has an invalid prefix`);
  const ranges = d.ip.dhcp?.ranges ?? [];
  const hostDefs = d.ip.dhcp?.hosts ?? [];
  const v6 = d.address.family === 'ipv6';
  let leases = 0;
  ranges.forEach((range, r) => {
    const path = `${d.path}/dhcp/range[${r + 1}]`;
    const start = parseAddress(range.start, `${path}/@start`);
    const end = parseAddress(range.end, `${path}/@end`);
    let line: string;
    if (v6) line = `dhcp-range=${formatParsed(start)},${formatParsed(end)},${prefix}`;
    else {
      if (prefix > 32)
        throw new CompileError('dnsmasq.invalid-prefix', d.path, `Failed to translate bridge '${bridge}' prefix ${prefix} to netmask`);
      line = `dhcp-range=${formatParsed(start)},${formatParsed(end)},${ipv4Netmask(prefix)}`;
    }
    if (range.lease !== undefined) line += `,${formatLease(range.lease, `${path}/lease`)}`;
    lines.add(line, path);
    leases += dhcpRangeSize(start, end, d.address, prefix, path);
  });
  // Static-only DHCP (hosts but no range) needs a range line to switch DHCP on in dnsmasq.
  if (ranges.length === 0 && hostDefs.length > 0)
    lines.add(`dhcp-range=${formatParsed(d.address)},static${v6 ? `,${prefix}` : ''}`, d.path);
  const hostPath = (h: number): string => `${d.path}/dhcp/host[${h + 1}]`;
  for (let h = 0; h < hostDefs.length; h++) hosts.addFrom(hostsfileLine(hostDefs[h]!, d.address.family, h, hostPath), hostPath, h);
  if (!v6) {
    if (ranges.length > 0 || hostDefs.length > 0) {
      lines.add('dhcp-no-override', d.path);
      lines.add('dhcp-authoritative', d.path);
    }
    const bootp = d.ip.dhcp?.bootp;
    if (bootp !== undefined) {
      const path = `${d.path}/dhcp/bootp`;
      const file = confText(bootp.file, `${path}/@file`, COMMA);
      if (file === '') throw new CompileError(UNSAFE, `${path}/@file`, 'the boot file name is empty');
      // dhcp-boot=[tag:<tag>,]<file>…: a leading tag: or net: would be read as a tag, not a file.
      if (/^(tag|net):/.test(file))
        throw new CompileError(UNSAFE, `${path}/@file`, `boot file ${JSON.stringify(file)} starts with a dnsmasq tag prefix`);
      lines.add(
        bootp.server !== undefined
          ? `dhcp-boot=${file},,${formatParsed(parseAddress(bootp.server, `${path}/@server`))}`
          : `dhcp-boot=${file}`,
        path,
      );
    }
  }
  return leases;
}

/**
 * Build the conf text and the hosts-file lines. Throws {@link CompileError} for libvirt's own
 * errors (two DHCP `<ip>`s of one family, an invalid prefix or range, an impossible PTR zone)
 * and for any value that would not stay in its line or field.
 */
export function buildConf(network: Network, targets: ConfTargets): ConfResult {
  const name = checkNetworkName(network.name);
  const bridge = checkBridgeName(targets.bridge);
  const lines = new Lines();
  const dns = network.dns ?? {};
  const wantDNS = dns.enable !== false;
  const ips = network.ips ?? [];

  // The header; the name is written raw (it is a comment, so only line breaks matter).
  lines.add('##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE', '/network');
  lines.add('##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:', '/network');
  lines.add(`##    virsh net-edit ${name}`, '/network/name');
  lines.add('## or other application using the libvirt API.', '/network');
  lines.add('##', '/network');
  lines.add('## dnsmasq conf file created by libvirt', '/network');
  lines.add('strict-order', '/network');

  // A disabled DNS still runs dnsmasq for DHCP: port 0 stops it listening for DNS.
  if (!wantDNS) lines.add('port=0', '/network/dns/@enable');

  if (wantDNS && dns.forwarders && dns.forwarders.length > 0) {
    // no-resolv once some forwarder takes every query (an address, no domain).
    let noResolv = false;
    dns.forwarders.forEach((fwd, i) => {
      const path = `/network/dns/forwarder[${i + 1}]`;
      let line = 'server=';
      if (fwd.domain !== undefined) line += `/${confToken(fwd.domain, `${path}/@domain`, COMMA_SLASH)}/`;
      if (fwd.addr !== undefined) {
        line += formatParsed(parseAddress(fwd.addr, `${path}/@addr`));
        if (fwd.domain === undefined) noResolv = true;
      } else line += '#'; // "do not forward queries for this domain"
      lines.add(line, path);
    });
    if (noResolv) lines.add('no-resolv', '/network/dns');
  }

  if (network.domain !== undefined) {
    const path = '/network/domain/@name';
    const domain = confToken(network.domain.name, path, COMMA_SLASH);
    if (network.domain.localOnly === true) lines.add(`local=/${domain}/`, path);
    lines.add(`domain=${domain}`, path);
    lines.add('expand-hosts', path);
  }

  if (wantDNS) {
    ips.forEach((ip, i) => {
      if (ip.localPtr !== true) return;
      const address = parseAddress(ip.address, `${ipPath(i)}/@address`);
      const prefix = ipPrefix(ip, address, ipPath(i));
      const zone = ptrDomain(address, prefix);
      if (zone === undefined) {
        // libvirt prints the prefix as unsigned (-1 shows as 4294967295).
        const shown = prefix < 0 ? prefix >>> 0 : prefix;
        throw new CompileError(
          'dnsmasq.ptr-impossible',
          `${ipPath(i)}/@localPtr`,
          `PTR domain for ${address.family === 'ipv4' ? 'IPv4' : 'IPv6'} network with prefix ${shown} cannot be automatically created`,
        );
      }
      lines.add(`local=/${zone}/`, `${ipPath(i)}/@localPtr`);
    });
  }

  if (wantDNS && dns.forwardPlainNames === false) {
    lines.add('domain-needed', '/network/dns/@forwardPlainNames');
    lines.add('local=//', '/network/dns/@forwardPlainNames');
  }

  if (targets.pidfile !== undefined) lines.add(`pid-file=${confText(targets.pidfile, 'options.pidfile')}`, 'options.pidfile');

  lines.add('except-interface=lo', '/network');
  lines.add('bind-dynamic', '/network');
  lines.add(`interface=${bridge}`, 'options.bridge');

  // Isolated network: no default route (option 3), no upstream DNS, zero-lifetime RA route.
  if (network.forward === undefined) {
    lines.add('dhcp-option=3', '/network');
    lines.add('no-resolv', '/network');
    lines.add('ra-param=*,0,0', '/network');
  }

  if (wantDNS) {
    (dns.txts ?? []).forEach((txt, i) => {
      const path = `/network/dns/txt[${i + 1}]`;
      const txtName = confToken(txt.name, `${path}/@name`, COMMA);
      // The value is written raw, as libvirt does; its commas make several TXT strings.
      const value = confText(txt.value, `${path}/@value`);
      lines.add(`txt-record=${txtName},${value}`, path);
    });
    (dns.srvs ?? []).forEach((srv, i) => {
      const path = `/network/dns/srv[${i + 1}]`;
      let line = `srv-host=_${confToken(srv.service, `${path}/@service`, COMMA)}._${confToken(srv.protocol, `${path}/@protocol`, COMMA)}`;
      if (srv.domain !== undefined) line += `.${confToken(srv.domain, `${path}/@domain`, COMMA)}`;
      // An empty or "." target means "no such service": port, priority and weight do not apply.
      if (srv.target !== undefined && srv.target !== '.' && srv.target !== '') {
        line += `,${confToken(srv.target, `${path}/@target`, COMMA)}`;
        const port = srv.port ?? 0;
        const priority = srv.priority ?? 0;
        const weight = srv.weight ?? 0;
        // Fields are positional: an unset one before a set one gets its default (port 1, priority 0).
        if (port || priority || weight) line += `,${port ? integer(port, `${path}/@port`) : 1}`;
        if (priority || weight) line += `,${integer(priority, `${path}/@priority`)}`;
        if (weight) line += `,${integer(weight, `${path}/@weight`)}`;
      }
      lines.add(line, path);
    });
  }

  // One pass over every <ip>: tftp lines (IPv4) and the single DHCP <ip> of each family.
  let ipv4: DhcpIp | undefined;
  let ipv6: DhcpIp | undefined;
  const slaac: DhcpIp[] = [];
  let tftpEnabled = false;
  ips.forEach((ip, i) => {
    const path = ipPath(i);
    const address = parseAddress(ip.address, `${path}/@address`);
    const hasDhcp = (ip.dhcp?.ranges?.length ?? 0) > 0 || (ip.dhcp?.hosts?.length ?? 0) > 0;
    if (address.family === 'ipv4') {
      if (hasDhcp) {
        if (ipv4) throw new CompileError('dnsmasq.multiple-ipv4-dhcp', path, 'For IPv4, multiple DHCP definitions cannot be specified.');
        ipv4 = { ip, path, address };
      }
      if (ip.tftp !== undefined) {
        const root = confText(ip.tftp.root, `${path}/tftp/@root`, COMMA);
        if (root === '') throw new CompileError(UNSAFE, `${path}/tftp/@root`, 'the TFTP root is empty');
        if (!tftpEnabled) lines.add('enable-tftp', `${path}/tftp`);
        tftpEnabled = true;
        lines.add(`tftp-root=${root}`, `${path}/tftp/@root`);
      }
    } else if (hasDhcp) {
      if (ipv6) throw new CompileError('dnsmasq.multiple-ipv6-dhcp', path, 'For IPv6, multiple DHCP definitions cannot be specified.');
      ipv6 = { ip, path, address };
    } else slaac.push({ ip, path, address });
  });

  const hosts = new Lines();
  let leases = 0;
  if (ipv4) leases += dhcpBlock(lines, ipv4, bridge, hosts);
  if (ipv6) leases += dhcpBlock(lines, ipv6, bridge, hosts);
  if (leases > 0) lines.add(`dhcp-lease-max=${leases}`, '/network/ip');

  // Written even with no static host yet, so hosts can be added at run time.
  if (ipv4 || ipv6) lines.add(`dhcp-hostsfile=${confText(targets.hostsfile, 'options.stateDir')}`, 'options.stateDir');
  if (wantDNS) lines.add(`addn-hosts=${confText(targets.addnhosts, 'options.stateDir')}`, 'options.stateDir');

  if (network.mtu !== undefined && network.mtu > 0) lines.add(`dhcp-option=option:mtu,${integer(network.mtu, '/network/mtu/@size')}`, '/network/mtu');

  // Stateful DHCPv6 turns on router advertisements for all; otherwise each IPv6 <ip> gets RA only.
  if (ipv6) lines.add('enable-ra', ipv6.path);
  else for (const s of slaac) lines.add(`dhcp-range=${formatParsed(s.address)},ra-only`, s.path);

  (network.dnsmasqOptions ?? []).forEach((option, i) => {
    const path = `/network/dnsmasq:options/dnsmasq:option[${i + 1}]/@value`;
    lines.add(refuseLineBreaks(option, path), path);
  });

  return { conf: lines.text, hostsfile: hosts.count > 0 ? hosts.text : undefined };
}
