/**
 * The extra hosts file (`addn-hosts=`) built from `<dns><host>` (`addnhostsAdd`/`addnhostsWrite`).
 *
 * @module
 */
import type { DnsHost } from '../../model/dns.js';
import { CompileError } from '../errors.js';
import { isCanonicalIpv4 } from '../../model/inet.js';
import { formatAddress } from './inet.js';
import { MAX_LINE_BYTES, UNSAFE, refuseLineBreaks } from './safety.js';

/**
 * Check a `<hostname>` for dnsmasq's hosts-file reader (cache.c `read_hostsfile`), which reads
 * whitespace-separated tokens of at most 1024 bytes and skips from `#` to the end of the line:
 * no whitespace or control characters, no `#`, not empty, not longer than a token. (The reader
 * is token-based, so a line with many names is fine, unlike the conf and hostsfile.)
 */
export function checkDnsHostname(name: string, path: string): string {
  if (typeof name !== 'string' || name === '') throw new CompileError(UNSAFE, path, 'the host name is empty');
  refuseLineBreaks(name, path);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x23 /* # */ || c === 0xa0 || c === 0x85)
      throw new CompileError(
        UNSAFE,
        path,
        `host name ${JSON.stringify(name)} contains ${c === 0x23 ? "'#'" : 'whitespace or a control character'}, which dnsmasq's hosts-file reader splits on`,
      );
  }
  if (name.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(name, 'utf8') > MAX_LINE_BYTES)
    throw new CompileError(UNSAFE, path, `host name is longer than the ${MAX_LINE_BYTES} bytes dnsmasq reads as one name`);
  return name;
}

/** Names that pass {@link checkDnsHostname} without a closer look (short, plain ASCII). */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/;

/**
 * The addnhosts file: one line per distinct formatted address, in first-seen order, hosts with
 * the same address merged: `<ip>\t<name>\t<name>\t…\t\n` (a tab after every field). Empty when
 * there are no hosts.
 *
 * @example
 * ```ts
 * addnhostsContent([{ ip: '192.168.122.1', hostnames: ['host', 'gateway'] }]);
 * // '192.168.122.1\thost\tgateway\t\n'
 * ```
 */
export function addnhostsContent(hosts: readonly DnsHost[] = []): string {
  // Address → its line so far (`ip\tname\t…`): one string per address, no array per address.
  const byIp = new Map<string, string>();
  // Plain loops and paths built only for an error: this runs once per host of large networks.
  for (let i = 0; i < hosts.length; i++) {
    const host = hosts[i]!;
    const ip = typeof host.ip === 'string' && isCanonicalIpv4(host.ip) ? host.ip : formatAddress(host.ip, `/network/dns/host[${i + 1}]/@ip`);
    // libvirt adds one (address, name) pair per <hostname>: a host without names adds no line.
    const hostnames = host.hostnames ?? [];
    for (let j = 0; j < hostnames.length; j++) {
      const name = hostnames[j]!;
      const checked = PLAIN_NAME.test(name) ? name : checkDnsHostname(name, `/network/dns/host[${i + 1}]/hostname[${j + 1}]`);
      const line = byIp.get(ip);
      byIp.set(ip, line === undefined ? `${ip}\t${checked}\t` : `${line}${checked}\t`);
    }
  }
  let out = '';
  for (const line of byIp.values()) out += `${line}\n`;
  return out;
}
