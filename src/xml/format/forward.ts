/**
 * `<forward>` and its children (`driver`, `nat`, `pf`, `interface`, `address`).
 *
 * @module
 */
import type { Forward, ForwardDriver, ForwardNat, PciAddress } from '../../model/forward.js';
import { escapeAttribute } from '../escape.js';
import { children, close, hasUnknown, indent, leafElement as leaf, put, slotsFor, unknownAttributes } from './layout.js';
import type { FormatOptions } from './options.js';

/**
 * `<driver name model/>`, only when one of them is set (libvirt's
 * `virDeviceHostdevPCIDriverInfoFormat`).
 */
function formatDriver(driver: ForwardDriver | undefined, level: number): string {
  if (driver === undefined) return '';
  let attrs = '';
  if (driver.name !== undefined) attrs += ` name='${driver.name}'`;
  if (driver.model !== undefined) attrs += ` model='${escapeAttribute(driver.model)}'`;
  if (attrs === '' && !hasUnknown(driver.unknown)) return '';
  return leaf('driver', attrs, driver.unknown, level);
}

/** Whether libvirt writes `<nat>` at all: an address, a port range or `ipv6` set. */
function natHasContent(nat: ForwardNat): boolean {
  return (
    nat.address !== undefined ||
    (nat.port !== undefined && (nat.port.start !== 0 || nat.port.end !== 0)) ||
    nat.ipv6 !== undefined
  );
}

/** `<nat ipv6>` with `<address start end/>` and `<port start end/>` (end only when non-zero). */
function formatNat(nat: ForwardNat, level: number): string {
  if (!natHasContent(nat) && !hasUnknown(nat.unknown)) return '';
  const attrs = (nat.ipv6 === undefined ? '' : ` ipv6='${nat.ipv6 ? 'yes' : 'no'}'`) + unknownAttributes(nat.unknown);
  const slots = slotsFor(nat.unknown);
  let inner = '';
  const a = nat.address;
  if (a !== undefined) {
    inner = put(slots, inner, 'address', leaf('address', ` start='${a.start}' end='${a.end}'`, a.unknown, level + 1));
  }
  const p = nat.port;
  if (p !== undefined && (p.start !== 0 || p.end !== 0 || hasUnknown(p.unknown))) {
    const end = p.end !== 0 ? ` end='${p.end}'` : '';
    inner = put(slots, inner, 'port', leaf('port', ` start='${p.start}'${end}`, p.unknown, level + 1));
  }
  inner = children(slots, inner, nat.unknown, level + 1);
  return `${indent(level)}<nat${attrs}${close('nat', inner, level)}`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** `<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%d'/>`. */
function formatPciAddress(a: PciAddress, level: number): string {
  // libvirt prints the function with %d after a literal 0x (functions are 0..7, so it reads as hex).
  const attrs = ` type='pci' domain='0x${hex(a.domain, 4)}' bus='0x${hex(a.bus, 2)}' slot='0x${hex(a.slot, 2)}' function='0x${a.function}'`;
  return leaf('address', attrs, a.unknown, level);
}

/**
 * `<forward>`, omitted for an isolated network (no `forward`).
 *
 * `dev='…'` is synthesised from the first interface when there is no `<pf>`; the element is
 * self-closed ("short form") when it has no pool, pf, nat address/port, driver name or nat ipv6.
 * With the `inactive` flag, the interface/address pool of a `<pf>` network is not written: it is
 * the runtime list of virtual functions.
 */
export function formatForward(forward: Forward | undefined, options: FormatOptions, level: number): string {
  if (forward === undefined) return '';
  const interfaces = forward.interfaces ?? [];
  const addresses = forward.addresses ?? [];
  const pf = forward.pf;
  let attrs = '';
  if (pf === undefined && interfaces.length > 0) attrs += ` dev='${escapeAttribute(interfaces[0]!.dev)}'`;
  attrs += ` mode='${forward.mode}'`;
  if (forward.mode === 'hostdev') attrs += forward.managed ? " managed='yes'" : " managed='no'";
  attrs += unknownAttributes(forward.unknown);

  const nat = forward.mode === 'nat' ? forward.nat : undefined;
  const shortForm = !(
    interfaces.length > 0 ||
    addresses.length > 0 ||
    pf !== undefined ||
    (nat !== undefined && natHasContent(nat)) ||
    forward.driver?.name !== undefined ||
    forward.unknown?.elements?.length
  );

  const inner = level + 1;
  const slots = slotsFor(forward.unknown);
  let body = '';
  body = put(slots, body, 'driver', formatDriver(forward.driver, inner));
  if (nat !== undefined) body = put(slots, body, 'nat', formatNat(nat, inner));
  if (pf !== undefined) {
    body = put(slots, body, 'pf', leaf('pf', ` dev='${escapeAttribute(pf.dev)}'`, pf.unknown, inner));
  }
  if (pf === undefined || !options.inactive) {
    for (const i of interfaces) {
      const connections = !options.inactive && i.connections ? ` connections='${i.connections}'` : '';
      body = put(slots, body, 'interface', leaf('interface', ` dev='${escapeAttribute(i.dev)}'${connections}`, i.unknown, inner));
    }
    for (const a of addresses) body = put(slots, body, 'address', formatPciAddress(a, inner));
  }
  body = children(slots, body, forward.unknown, inner);

  if (shortForm) {
    // libvirt quirk, kept for byte-identity: a <driver model> without name does not defeat the
    // short form, so the driver line follows the self-closed <forward/>, one level deeper.
    return `${indent(level)}<forward${attrs}/>\n${body}`;
  }
  return `${indent(level)}<forward${attrs}>\n${body}${indent(level)}</forward>\n`;
}
