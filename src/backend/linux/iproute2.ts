/**
 * Rendering link, address and route operations as `ip -batch` lines, and mapping iproute2's
 * `Command failed -:LINE` back to the operation that failed.
 *
 * Every value is checked before it is written: a batch line is split on blanks and may hold
 * comments and quotes, so a hostile interface name could otherwise smuggle in a second command.
 *
 * @module
 */
import { isCanonicalIpv4, isIpv6Text } from '../../model/inet.js';
import type { Operation } from '../../compile/plan.js';
import { HostError } from '../types.js';

/** The operations one `ip -batch` process can run. */
export type IpOperation = Extract<
  Operation,
  {
    kind:
      | 'link.create-bridge'
      | 'link.delete'
      | 'link.set-bridge-option'
      | 'link.set-state'
      | 'address.add'
      | 'address.delete'
      | 'route.add'
      | 'route.delete';
  }
>;

/** Whether iproute2 runs this operation. */
export function isIpOperation(op: Operation): op is IpOperation {
  return op.kind.startsWith('link.') || op.kind.startsWith('address.') || op.kind.startsWith('route.');
}

/** Linux interface names: 1–15 bytes, no '/', ':' or blanks; we also refuse quotes and '#'. */
const IFNAME = /^[A-Za-z0-9_.+-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function ifname(name: string, op: Operation): string {
  if (!IFNAME.test(name) || name === '.' || name === '..') throw new HostError('EINVAL', `invalid interface name '${name}'`, op);
  return name;
}

function ip(address: string, family: 'ipv4' | 'ipv6', op: Operation): string {
  const ok = family === 'ipv4' ? isCanonicalIpv4(address) : isIpv6Text(address);
  if (!ok) throw new HostError('EINVAL', `invalid ${family} address '${address}'`, op);
  return address;
}

function prefix(p: number, family: 'ipv4' | 'ipv6', op: Operation): number {
  if (!Number.isInteger(p) || p < 0 || p > (family === 'ipv4' ? 32 : 128)) throw new HostError('EINVAL', `invalid prefix ${p}`, op);
  return p;
}

function uint(n: number, max: number, what: string, op: Operation): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new HostError('EINVAL', `invalid ${what} ${n}`, op);
  return n;
}

/**
 * The batch line for one operation (without `ip` and without a newline).
 *
 * @example
 * batchLine({ kind: 'link.set-state', dev: 'virbr0', up: true }) // 'link set dev virbr0 up'
 */
export function batchLine(op: IpOperation): string {
  switch (op.kind) {
    case 'link.create-bridge': {
      const parts = ['link', 'add', ifname(op.name, op)];
      if (op.mac !== undefined) {
        if (!MAC.test(op.mac)) throw new HostError('EINVAL', `invalid MAC address '${op.mac}'`, op);
        parts.push('address', op.mac.toLowerCase());
      }
      if (op.mtu !== undefined) parts.push('mtu', String(uint(op.mtu, 65535, 'MTU', op)));
      // forward_delay before stp_state: with STP on the kernel clamps a too small delay to 2 s
      // (as it does for libvirt's sysfs writes) instead of refusing it with ERANGE.
      parts.push('type', 'bridge', 'forward_delay', String(uint(op.forwardDelay, 1_000_000, 'forward delay', op)));
      parts.push('stp_state', op.stp ? '1' : '0');
      return parts.join(' ');
    }
    case 'link.delete':
      return `link del dev ${ifname(op.name, op)}`;
    case 'link.set-bridge-option':
      return `link set dev ${ifname(op.dev, op)} type bridge ${op.option} ${uint(op.value, 1, op.option, op)}`;
    case 'link.set-state':
      return `link set dev ${ifname(op.dev, op)} ${op.up ? 'up' : 'down'}`;
    case 'address.add': {
      let line = `address add ${ip(op.address, op.family, op)}/${prefix(op.prefix, op.family, op)}`;
      if (op.broadcast !== undefined) line += ` broadcast ${ip(op.broadcast, 'ipv4', op)}`;
      return `${line} dev ${ifname(op.dev, op)}`;
    }
    case 'address.delete':
      return `address del ${ip(op.address, op.family, op)}/${prefix(op.prefix, op.family, op)} dev ${ifname(op.dev, op)}`;
    case 'route.add':
    case 'route.delete': {
      const verb = op.kind === 'route.add' ? 'add' : 'del';
      let line = `route ${verb} ${ip(op.destination, op.family, op)}/${prefix(op.prefix, op.family, op)} via ${ip(op.gateway, op.family, op)} dev ${ifname(op.dev, op)}`;
      // libvirt adds static routes with protocol "boot" (iproute2's default) and the metric only when > 0.
      if (op.metric !== undefined && op.metric > 0) line += ` metric ${uint(op.metric, 0xffffffff, 'metric', op)}`;
      return line;
    }
  }
}

/** The batch text for several operations, one line each. */
export function renderBatch(ops: readonly IpOperation[]): string {
  return ops.map((op) => `${batchLine(op)}\n`).join('');
}

/**
 * Which batch line failed, from iproute2's stderr (`Command failed -:3`, 1-based), as a 0-based
 * index; `undefined` when the output names no line (the whole batch then counts as failed at 0).
 */
export function failedLine(stderr: string): number | undefined {
  const m = /Command failed -:(\d+)/.exec(stderr);
  return m ? Number(m[1]) - 1 : undefined;
}

/** The errno name for iproute2's message (for HostError codes). */
export function errnoOf(message: string): string {
  if (/File exists/.test(message)) return 'EEXIST';
  if (/Cannot find device|No such device/.test(message)) return 'ENODEV';
  if (/Numerical result out of range/.test(message)) return 'ERANGE';
  if (/Cannot assign requested address/.test(message)) return 'EADDRNOTAVAIL';
  if (/No such process|No such file/.test(message)) return 'ESRCH';
  if (/Network is unreachable|Nexthop has invalid gateway/.test(message)) return 'ENETUNREACH';
  if (/Permission denied|Operation not permitted/.test(message)) return 'EPERM';
  if (/Invalid argument/.test(message)) return 'EINVAL';
  return 'ECOMMAND';
}

/** The inverse of an iproute2 operation that succeeded (exactly what it changed). */
export function ipUndo(op: IpOperation): Operation[] {
  switch (op.kind) {
    case 'link.create-bridge':
      return [{ kind: 'link.delete', name: op.name }];
    case 'link.set-bridge-option':
      return op.value === op.previous ? [] : [{ ...op, value: op.previous, previous: op.value }];
    case 'link.set-state':
      return [{ kind: 'link.set-state', dev: op.dev, up: !op.up }];
    case 'address.add':
      return [{ kind: 'address.delete', dev: op.dev, family: op.family, address: op.address, prefix: op.prefix }];
    case 'route.add': {
      const { kind: _k, ignoreErrors: _i, ...rest } = op;
      return [{ kind: 'route.delete', ...rest }];
    }
    // Deleting a link or an address destroys state we did not record; the teardown that runs these
    // is itself never undone.
    case 'link.delete':
    case 'address.delete':
    case 'route.delete':
      return [];
  }
}
