/**
 * What the caller tells the dnsmasq compiler besides the network itself.
 *
 * @module
 */
import { CompileError } from '../errors.js';
import { confText } from './safety.js';

/** libvirt's privileged dnsmasq state folder. */
export const DEFAULT_STATE_DIR = '/var/lib/libvirt/dnsmasq';
/** libvirt's privileged pid folder (`/run/libvirt/network`). */
export const DEFAULT_PID_DIR = '/run/libvirt/network';
/** The dnsmasq version libvirt's conf tests assume, and its minimum. */
export const DEFAULT_DNSMASQ_VERSION = '2.67';

/**
 * Options of {@link dnsmasqConfig}.
 *
 * @example
 * ```ts
 * const options: DnsmasqOptions = { bridge: 'virbr0', pidfile: '/run/libvirt/network/default.pid' };
 * ```
 */
export interface DnsmasqOptions {
  /** The bridge dnsmasq serves (`interface=`); required because the compiler may allocate it. */
  bridge: string;
  /** Folder of the conf, hostsfile and addnhosts files; default `/var/lib/libvirt/dnsmasq`. */
  stateDir?: string;
  /** `pid-file=` line; absent or null writes none (as libvirt's conf tests do). */
  pidfile?: string | null;
  /**
   * The dnsmasq version (`2.90`); default `2.67`. libvirt 11.3 checks only the minimum 2.67 —
   * no line of the conf depends on it.
   */
  version?: string;
}

/** Check a path given by the caller that ends up on a conf line. */
export function checkOptionPath(value: string, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new CompileError('dnsmasq.invalid-option', `options.${name}`, `${name} must be a non-empty path`);
  return confText(value, `options.${name}`);
}

/** The state folder, checked (used as given: libvirt joins it and the file name with `/`). */
export function stateDirOf(options: Pick<DnsmasqOptions, 'stateDir'>): string {
  return checkOptionPath(options.stateDir ?? DEFAULT_STATE_DIR, 'stateDir');
}

/**
 * Refuse a dnsmasq older than libvirt's minimum (`dnsmasqCapsSetFromBuffer`): "dnsmasq version
 * >= 2.67 required but 2.66 found".
 */
export function checkVersion(version: string = DEFAULT_DNSMASQ_VERSION): void {
  const match = /^(\d+)\.(\d+)(?:\.\d+)*/.exec(typeof version === 'string' ? version : '');
  if (!match) throw new CompileError('dnsmasq.invalid-version', 'options.version', `cannot parse dnsmasq version number in ${JSON.stringify(version)}`);
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major < 2 || (major === 2 && minor < 67))
    throw new CompileError('dnsmasq.version-unsupported', 'options.version', `dnsmasq version >= 2.67 required but ${major}.${minor} found`);
}
