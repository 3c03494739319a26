/**
 * The network's own device settings: `<bridge>`, `<mac>`, `<mtu>`, plus `<domain>` and `<port>`.
 *
 * @module
 */
import type { Bridge, Domain, MacTableManager, PortSettings } from '../../model/bridge.js';
import type { MacAddress, UInt } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { collectUnknown, readTristate, xpathAttr, type ParseContext } from './context.js';
import { specAt } from './schema.js';
import { formatMac, parseCUIntWrapping, parseCUnsigned, parseMac } from './scalars.js';

/** The bridge as decoded, plus what the mode checks need. */
export interface DecodedBridge {
  bridge: Bridge;
  /** The `stp` attribute was given (non-empty), whatever its value. */
  stpGiven: boolean;
}

/** Decode the first `<bridge>`. All its attributes are read with XPath: empty means absent. */
export function decodeBridge(node: XNode, path: string, ctx: ParseContext): DecodedBridge {
  const bridge: Bridge = {};
  const name = xpathAttr(node, 'name');
  if (name !== undefined) bridge.name = name;
  const zone = xpathAttr(node, 'zone');
  if (zone !== undefined) bridge.zone = zone;
  const stp = xpathAttr(node, 'stp');
  // libvirt: "off" turns STP off; any other value (even "no") leaves it on.
  if (stp !== undefined) bridge.stp = stp !== 'off';
  const delay = xpathAttr(node, 'delay');
  if (delay !== undefined) {
    const r = parseCUnsigned(delay, 10);
    if (!r.ok)
      ctx.fail('bridge.delay.invalid', node, `${path}/@delay`, `Invalid bridge delay '${delay}' in ${ctx.net}: expected a number of seconds.`);
    bridge.delay = r.value as UInt;
  }
  const mtm = xpathAttr(node, 'macTableManager');
  if (mtm !== undefined) {
    if (mtm !== 'kernel' && mtm !== 'libvirt')
      ctx.fail(
        'bridge.mac-table-manager.invalid',
        node,
        `${path}/@macTableManager`,
        `Invalid macTableManager '${mtm}' in ${ctx.net}: expected 'kernel' or 'libvirt'.`,
      );
    bridge.macTableManager = mtm as MacTableManager;
  }
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('bridge'));
    if (u) bridge.unknown = u;
  }
  return { bridge, stpGiven: stp !== undefined };
}

/** Decode the bridge `<mac address>`: unicast, stored lowercase with two digits per byte. */
export function decodeMac(node: XNode, path: string, ctx: ParseContext): MacAddress | undefined {
  const text = xpathAttr(node, 'address');
  if (text === undefined) return undefined;
  const bytes = parseMac(text);
  if (bytes === undefined) ctx.fail('mac.invalid', node, `${path}/@address`, `Invalid bridge MAC address '${text}' in ${ctx.net}.`);
  if (bytes[0]! & 1)
    ctx.fail('mac.multicast', node, `${path}/@address`, `The bridge MAC address '${text}' in ${ctx.net} is a multicast address; a unicast one is needed.`);
  return formatMac(bytes) as MacAddress;
}

/** Decode `<mtu size>`: C `strtoul` base 10 (a minus sign wraps); 0 means unset. */
export function decodeMtu(node: XNode, path: string, ctx: ParseContext): number | undefined {
  const text = xpathAttr(node, 'size');
  if (text === undefined) return undefined;
  const v = parseCUIntWrapping(text);
  if (v === undefined) ctx.fail('mtu.invalid', node, `${path}/@size`, `Invalid MTU size '${text}' in ${ctx.net}.`);
  return v === 0 ? undefined : v;
}

/** Decode the first `<domain>`; undefined without a `name` (libvirt writes nothing then). */
export function decodeDomain(node: XNode, path: string, ctx: ParseContext): Domain | undefined {
  const name = node.attrs['name'];
  const localOnly = readTristate(ctx, node, path, 'localOnly', 'domain.local-only.invalid');
  const register = readTristate(ctx, node, path, 'register', 'domain.register.invalid');
  if (register === true && localOnly !== true)
    ctx.fail(
      'domain.register.requires-local-only',
      node,
      `${path}/@register`,
      `The <domain> of ${ctx.net} has register='yes', which requires localOnly='yes'.`,
    );
  if (name === undefined) return undefined;
  const domain: Domain = { name };
  if (localOnly !== undefined) domain.localOnly = localOnly;
  if (register !== undefined) domain.register = register;
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('domain'));
    if (u) domain.unknown = u;
  }
  return domain;
}

/** Decode the first `<port isolated>`; undefined when it says nothing. */
export function decodePort(node: XNode, path: string, ctx: ParseContext): PortSettings | undefined {
  const isolated = readTristate(ctx, node, path, 'isolated', 'port.isolated.invalid');
  const port: PortSettings = {};
  if (isolated !== undefined) port.isolated = isolated;
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('port'));
    if (u) port.unknown = u;
  }
  return Object.keys(port).length > 0 ? port : undefined;
}

