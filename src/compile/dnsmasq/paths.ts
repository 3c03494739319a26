/**
 * Where libvirt keeps a network's dnsmasq files, and how the network name goes into them.
 *
 * @module
 */
import type { Network } from '../../model/network.js';
import { CompileError } from '../errors.js';
import { DEFAULT_PID_DIR, checkOptionPath, stateDirOf, type DnsmasqOptions } from './options.js';
import { UNSAFE, refuseLineBreaks } from './safety.js';

/** The files of one network's dnsmasq. */
export interface DnsmasqPaths {
  /** `<stateDir>/<name>.conf` (raw name, `networkDnsmasqConfigFileName`). */
  conf: string;
  /** `<stateDir>/<escaped name>.hostsfile`. */
  hostsfile: string;
  /** `<stateDir>/<escaped name>.addnhosts`. */
  addnhosts: string;
  /** `options.pidfile` when given, else `/run/libvirt/network/<escaped name>.pid`. */
  pidfile: string;
}

/**
 * Check the network name for its three uses: the conf header comment, file names, and the
 * `dhcp-hostsfile=`/`addn-hosts=` lines. libvirt itself refuses `/` in names; line breaks and
 * other control characters, and a space before `#` (a comment for dnsmasq), are refused too.
 */
export function checkNetworkName(name: string): string {
  const path = '/network/name';
  if (typeof name !== 'string' || name === '') throw new CompileError(UNSAFE, path, 'the network has no name');
  refuseLineBreaks(name, path);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f)
      throw new CompileError(UNSAFE, path, `network name ${JSON.stringify(name)} contains a control character`);
  }
  if (name.includes('/')) throw new CompileError(UNSAFE, path, `network name ${JSON.stringify(name)} contains '/', which would leave the state folder`);
  if (name.includes(' #')) throw new CompileError(UNSAFE, path, `network name ${JSON.stringify(name)} contains ' #', which dnsmasq reads as a comment`);
  return name;
}

/**
 * The name as libvirt's `virBufferEscapeString` writes it into the hostsfile, addnhosts and pid
 * paths: `&`, `<`, `>`, `"` and `'` become XML entities (fixture
 * `nat-network-name-with-quotes`: `default&quot;with&quot;quotes&quot;.hostsfile`).
 */
export function escapeName(name: string): string {
  return name.replace(/[&<>"']/g, (ch) =>
    ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '"' ? '&quot;' : '&apos;',
  );
}

/**
 * libvirt's paths of the network's dnsmasq files.
 *
 * @example
 * ```ts
 * dnsmasqPaths(net, { bridge: 'virbr0' }).hostsfile; // '/var/lib/libvirt/dnsmasq/default.hostsfile'
 * ```
 */
export function dnsmasqPaths(network: Network, options: DnsmasqOptions): DnsmasqPaths {
  const name = checkNetworkName(network.name);
  const dir = stateDirOf(options);
  const escaped = escapeName(name);
  const pidfile =
    options.pidfile === undefined || options.pidfile === null
      ? `${DEFAULT_PID_DIR}/${escaped}.pid`
      : checkOptionPath(options.pidfile, 'pidfile');
  return {
    conf: `${dir}/${name}.conf`,
    hostsfile: `${dir}/${escaped}.hostsfile`,
    addnhosts: `${dir}/${escaped}.addnhosts`,
    pidfile,
  };
}
