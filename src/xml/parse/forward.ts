/**
 * `<forward>` (`virNetworkForwardDefParseXML`): mode, managed, driver, `<nat>`, then the device
 * pool from `dev`/`<interface>`, else `<address>`, else `<pf>` (libvirt's precedence).
 *
 * @module
 */
import type { Forward, ForwardDriver, ForwardInterface, ForwardMode, ForwardNat, PciAddress } from '../../model/forward.js';
import type { Ipv4Address, Port, UInt } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { childrenNamed, collectUnknown, readTristate, readUInt, xpathAttr, type ParseContext } from './context.js';
import { checkRange, rangeMessage } from './ip.js';
import { specAt } from './schema.js';
import { parseCUnsigned, parseIp } from './scalars.js';

const MODES: ReadonlySet<string> = new Set(['nat', 'route', 'open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev', 'none']);

/** The forward element as decoded, plus what the mode checks need that the model does not keep. */
export interface DecodedForward {
  /** `none` means an isolated network: the model has no `forward` then. */
  mode: ForwardMode | 'none';
  forward: Forward;
  /** Number of pool entries from dev/`<interface>`/`<address>` (libvirt's nifs). */
  interfaceCount: number;
  hasPf: boolean;
}

function decodeNat(node: XNode, path: string, ctx: ParseContext, mode: string): ForwardNat {
  if (mode !== 'nat')
    ctx.fail('forward.nat.not-nat-mode', node, path, `<nat> can only be used with forward mode='nat', not mode='${mode}', in ${ctx.net}.`);
  const nat: ForwardNat = {};
  const ipv6 = readTristate(ctx, node, path, 'ipv6', 'forward.nat.ipv6.invalid');
  // A tri-state: libvirt writes ipv6='no' back as well.
  if (ipv6 !== undefined) nat.ipv6 = ipv6;
  const addresses = childrenNamed(node, 'address');
  if (addresses.length > 1)
    ctx.fail('forward.nat.address.duplicate', addresses[1]!, `${path}/address`, `Only one <address> is allowed in the <nat> of ${ctx.net}.`);
  const a = addresses[0];
  if (a !== undefined) {
    const apath = `${path}/address`;
    const startText = a.attrs['start'];
    if (startText === undefined) ctx.fail('forward.nat.address.start.missing', a, apath, `The NAT <address> of ${ctx.net} has no 'start' attribute.`);
    const endText = a.attrs['end'];
    if (endText === undefined) ctx.fail('forward.nat.address.end.missing', a, apath, `The NAT <address> of ${ctx.net} has no 'end' attribute.`);
    const start = parseIp(startText);
    if (start === undefined || start.v6)
      ctx.fail('forward.nat.address.start.invalid', a, `${apath}/@start`, `Invalid IPv4 NAT start address '${startText}' in ${ctx.net}.`);
    const end = parseIp(endText);
    if (end === undefined || end.v6)
      ctx.fail('forward.nat.address.end.invalid', a, `${apath}/@end`, `Invalid IPv4 NAT end address '${endText}' in ${ctx.net}.`);
    const problem = checkRange(start, end);
    if (problem !== undefined)
      ctx.fail(
        problem === 'dhcp.range.reversed' ? 'forward.nat.address.reversed' : 'forward.nat.address.too-large',
        a,
        apath,
        rangeMessage(problem, start.text, end.text, `the NAT <address> of ${ctx.net}`),
      );
    nat.address = { start: start.text as Ipv4Address, end: end.text as Ipv4Address };
    if (ctx.preserve) {
      const u = collectUnknown(a, specAt('forward', 'nat', 'address'));
      if (u) nat.address.unknown = u;
    }
  }
  const ports = childrenNamed(node, 'port');
  if (ports.length > 1) ctx.fail('forward.nat.port.duplicate', ports[1]!, `${path}/port`, `Only one <port> is allowed in the <nat> of ${ctx.net}.`);
  const p = ports[0];
  if (p !== undefined) {
    const ppath = `${path}/port`;
    // virXPathUInt: empty = missing; strtoul-like, no upper bound besides the 65535 check.
    const num = (attr: 'start' | 'end'): number | undefined => {
      const v = p.attrs[attr];
      if (v === undefined || v === '') return undefined;
      const r = parseCUnsigned(v, 10, 0xffffffff);
      return r.ok ? r.value : undefined;
    };
    const start = num('start');
    if (start === undefined || start > 65535)
      ctx.fail('forward.nat.port.start.invalid', p, `${ppath}/@start`, `The NAT <port> of ${ctx.net} has a missing or invalid 'start' (expected 0..65535).`);
    const end = num('end');
    if (end === undefined || end > 65535 || end < start)
      ctx.fail(
        'forward.nat.port.end.invalid',
        p,
        `${ppath}/@end`,
        `The NAT <port> of ${ctx.net} has a missing or invalid 'end' (expected ${start}..65535).`,
      );
    nat.port = { start: start as Port, end: end as Port };
    if (ctx.preserve) {
      const u = collectUnknown(p, specAt('forward', 'nat', 'port'));
      if (u) nat.port.unknown = u;
    }
  }
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('forward', 'nat'));
    if (u) nat.unknown = u;
  }
  return nat;
}

function decodePci(node: XNode, path: string, ctx: ParseContext): PciAddress {
  const read = (attr: string): number => readUInt(ctx, node, path, attr, 'forward.address.pci.invalid', { base: 0 }) ?? 0;
  const domain = read('domain');
  const bus = read('bus');
  const slot = read('slot');
  const fn = read('function');
  const multi = node.attrs['multifunction'];
  if (multi !== undefined && multi !== 'on' && multi !== 'off')
    ctx.fail(
      'forward.address.multifunction.invalid',
      node,
      `${path}/@multifunction`,
      `Invalid multifunction='${multi}' in a forward <address> of ${ctx.net}: expected 'on' or 'off'.`,
    );
  if (domain !== 0 || bus !== 0 || slot !== 0) {
    const hex = (n: number): string => `0x${n.toString(16)}`;
    if (bus > 0xff)
      ctx.fail('forward.address.pci.invalid', node, `${path}/@bus`, `Invalid PCI address bus='${hex(bus)}' in ${ctx.net}: it must be <= 0xFF.`);
    if (slot > 0x1f)
      ctx.fail('forward.address.pci.invalid', node, `${path}/@slot`, `Invalid PCI address slot='${hex(slot)}' in ${ctx.net}: it must be <= 0x1F.`);
    if (fn > 7)
      ctx.fail('forward.address.pci.invalid', node, `${path}/@function`, `Invalid PCI address function=${hex(fn)} in ${ctx.net}: it must be <= 7.`);
  }
  return { domain: domain as UInt, bus: bus as UInt, slot: slot as UInt, function: fn as UInt };
}

/** Decode `<forward>`. */
export function decodeForward(node: XNode, path: string, ctx: ParseContext): DecodedForward {
  const modeText = xpathAttr(node, 'mode') ?? 'nat';
  if (!MODES.has(modeText))
    ctx.fail(
      'forward.mode.invalid',
      node,
      `${path}/@mode`,
      `Unknown forward mode '${modeText}' in ${ctx.net}: expected nat, route, open, bridge, private, vepa, passthrough or hostdev.`,
    );
  const mode = modeText as ForwardMode | 'none';
  const forward: Forward = { mode: mode === 'none' ? 'nat' : mode };
  const managed = xpathAttr(node, 'managed');
  if (managed !== undefined) forward.managed = managed.toLowerCase() === 'yes';

  const driverNode = childrenNamed(node, 'driver')[0];
  if (driverNode !== undefined) {
    const driver: ForwardDriver = {};
    const name = driverNode.attrs['name'];
    if (name !== undefined) {
      if (name !== 'kvm' && name !== 'vfio' && name !== 'xen')
        ctx.fail(
          'forward.driver.name.invalid',
          driverNode,
          `${path}/driver/@name`,
          `Unknown forward driver name '${name}' in ${ctx.net}: expected kvm, vfio or xen.`,
        );
      driver.name = name;
    }
    const model = driverNode.attrs['model'];
    if (model !== undefined) driver.model = model;
    if (ctx.preserve) {
      const u = collectUnknown(driverNode, specAt('forward', 'driver'));
      if (u) driver.unknown = u;
    }
    if (Object.keys(driver).length > 0) forward.driver = driver;
  }

  const interfaces = childrenNamed(node, 'interface');
  const addresses = childrenNamed(node, 'address');
  const pfs = childrenNamed(node, 'pf');
  const nats = childrenNamed(node, 'nat');
  if (nats.length > 1) ctx.fail('forward.nat.duplicate', nats[1]!, `${path}/nat`, `Only one <nat> is allowed in the <forward> of ${ctx.net}.`);
  if (nats.length === 1) {
    const nat = decodeNat(nats[0]!, `${path}/nat`, ctx, modeText);
    if (nat.ipv6 !== undefined || nat.address || nat.port || nat.unknown) forward.nat = nat;
  }

  const dev = xpathAttr(node, 'dev');
  if (dev !== undefined && (addresses.length > 0 || pfs.length > 0))
    ctx.fail(
      'forward.dev.with-address-or-pf',
      node,
      `${path}/@dev`,
      `The <forward dev='${dev}'> attribute of ${ctx.net} cannot be combined with <address> or <pf> elements.`,
    );

  let interfaceCount = 0;
  let hasPf = false;
  if (interfaces.length > 0 || dev !== undefined) {
    const list: ForwardInterface[] = [];
    if (dev !== undefined) list.push({ dev });
    const ifSpec = specAt('forward', 'interface');
    // A set instead of libvirt's pairwise comparison: same result, linear time.
    const seen = new Set<string>();
    for (let i = 0; i < interfaces.length; i++) {
      const n = interfaces[i]!;
      const ipath = `${path}/interface[${i + 1}]`;
      const d = n.attrs['dev'];
      if (d === undefined)
        ctx.fail('forward.interface.dev.missing', n, ipath, `A forward <interface> of ${ctx.net} has no 'dev' attribute.`);
      let entry: ForwardInterface;
      if (i === 0 && dev !== undefined) {
        if (d !== dev)
          ctx.fail(
            'forward.interface.mismatch',
            n,
            `${ipath}/@dev`,
            `<forward dev='${dev}'> must match the first <interface dev='${d}'/> in ${ctx.net}.`,
          );
        entry = list[0]!;
      } else {
        if (seen.has(d))
          ctx.fail('forward.interface.duplicate', n, `${ipath}/@dev`, `The interface '${d}' is listed more than once in the <forward> of ${ctx.net}.`);
        entry = { dev: d };
        list.push(entry);
      }
      seen.add(d);
      if (ctx.preserve) {
        const u = collectUnknown(n, ifSpec);
        if (u) entry.unknown = u;
      }
    }
    forward.interfaces = list;
    interfaceCount = list.length;
  } else if (addresses.length > 0) {
    const list: PciAddress[] = [];
    const seenPci = new Set<string>();
    for (let i = 0; i < addresses.length; i++) {
      const n = addresses[i]!;
      const apath = `${path}/address[${i + 1}]`;
      const type = n.attrs['type'];
      if (type === undefined) ctx.fail('forward.address.type.missing', n, apath, `A forward <address> of ${ctx.net} has no 'type' attribute.`);
      if (type === 'none' || type === 'netdev')
        ctx.fail('forward.address.type.unsupported', n, `${apath}/@type`, `The forward <address type='${type}'> of ${ctx.net} is not supported; use type='pci'.`);
      if (type !== 'pci')
        ctx.fail('forward.address.type.invalid', n, `${apath}/@type`, `Unknown forward address type '${type}' in ${ctx.net}: expected 'pci'.`);
      const pci = decodePci(n, apath, ctx);
      const h = (v: number, w: number): string => v.toString(16).padStart(w, '0');
      const key = `${h(pci.domain, 4)}:${h(pci.bus, 2)}:${h(pci.slot, 2)}.${pci.function.toString(16)}`;
      if (seenPci.has(key))
        ctx.fail('forward.address.duplicate', n, apath, `The PCI device ${key} is listed more than once in the <forward> of ${ctx.net}.`);
      seenPci.add(key);
      if (ctx.preserve) {
        const u = collectUnknown(n, specAt('forward', 'address'));
        if (u) pci.unknown = u;
      }
      list.push(pci);
    }
    forward.addresses = list;
    interfaceCount = list.length;
  } else if (pfs.length > 1) {
    ctx.fail('forward.pf.duplicate', pfs[1]!, `${path}/pf`, `Only one <pf> is allowed in the <forward> of ${ctx.net}.`);
  } else if (pfs.length === 1) {
    const pf = pfs[0]!;
    const pdev = pf.attrs['dev'];
    if (pdev === undefined) ctx.fail('forward.pf.dev.missing', pf, `${path}/pf`, `The <pf> of ${ctx.net} has no 'dev' attribute.`);
    forward.pf = { dev: pdev };
    if (ctx.preserve) {
      const u = collectUnknown(pf, specAt('forward', 'pf'));
      if (u) forward.pf.unknown = u;
    }
    hasPf = true;
  }
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('forward'));
    if (u) forward.unknown = u;
  }
  return { mode, forward, interfaceCount, hasPf };
}
