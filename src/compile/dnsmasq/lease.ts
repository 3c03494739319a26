/**
 * Lease times as dnsmasq reads them (`networkBuildDnsmasqLeaseTime`).
 *
 * @module
 */
import type { Lease } from '../../model/ip.js';
import { CompileError } from '../errors.js';
import { integer } from './safety.js';

/**
 * `infinite` for expiry 0, else the expiry followed by the first letter of its unit (`s`, `m`,
 * `h`; libvirt's default unit is minutes).
 *
 * @example
 * ```ts
 * formatLease({ expiry: 2, unit: 'hours' }, '/network/ip/dhcp/range/lease'); // '2h'
 * ```
 */
export function formatLease(lease: Lease, path: string): string {
  const expiry = integer(lease.expiry, `${path}/@expiry`);
  if (lease.expiry === 0) return 'infinite';
  const unit = lease.unit ?? 'minutes';
  const letter = unit === 'seconds' ? 's' : unit === 'hours' ? 'h' : unit === 'minutes' ? 'm' : undefined;
  if (letter === undefined)
    throw new CompileError('dnsmasq.invalid-lease', `${path}/@unit`, `${JSON.stringify(unit)} is not a lease unit (seconds, minutes, hours)`);
  return `${expiry}${letter}`;
}
