/**
 * `<forward>`: the mode, `<nat>`, and the device pool (`<interface>`, PCI `<address>`, `<pf>`),
 * with the rules of libvirt's parser, of `networkValidate`, and of the firewall at start.
 *
 * @module
 */
import { addressToBigInt, ForwardMode, Ipv4Address, type Network, type PciAddress } from '../model/index.js';
import { interfaceNameFault } from './bridge.js';
import { q, type Problems } from './problem.js';

/** libvirt refuses a NAT address range of more than 65536 addresses. */
export const MAX_NAT_ADDRESSES = 65536n;

/** PCI address limits of `virPCIDeviceAddressIsValid`. */
const PCI_LIMITS = [
  ['domain', 0xffff],
  ['bus', 0xff],
  ['slot', 0x1f],
  ['function', 7],
] as const;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** `dddd:bb:ss.f`, as libvirt prints a PCI address. */
export function pciName(a: PciAddress): string {
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function.toString(16)}`;
}

/** Checks of `<forward>`. */
export function validateForward(network: Network, c: Problems): void {
  const forward = network.forward;
  if (forward === undefined) return;
  const path = '/network/forward';
  const mode = forward.mode;
  if (!ForwardMode.is(mode)) {
    c.error('forward.mode.invalid', `${path}/@mode`, `unknown forwarding type ${q(mode)} in ${c.net}`);
    return;
  }

  if ((mode === 'nat' || mode === 'route') && (network.ips ?? []).length === 0) {
    c.error('forward.ip.missing', path, `${mode} forwarding requested, but no IP address provided for ${c.net}`);
  }

  const nat = forward.nat;
  if (nat !== undefined) {
    if (mode !== 'nat') {
      c.error('forward.nat.not-nat-mode', `${path}/nat`, `the <nat> element can only be used when <forward> 'mode' is 'nat', not '${mode}', in ${c.net}`);
    }
    if (nat.address !== undefined && !(Ipv4Address.is(nat.address.start) && Ipv4Address.is(nat.address.end))) {
      c.error('ip.address.invalid', `${path}/nat/address`, `NAT address range ${q(nat.address.start)} - ${q(nat.address.end)} in ${c.net} must be two IPv4 addresses`);
    } else if (nat.address !== undefined) {
      const { start, end } = nat.address;
      const size = addressToBigInt(end) - addressToBigInt(start) + 1n;
      if (size <= 0n) {
        c.error('forward.nat.address.reversed', `${path}/nat/address`, `NAT address range ${q(start)} - ${q(end)} in ${c.net} is reversed: start is larger than end`);
      } else if (size > MAX_NAT_ADDRESSES) {
        c.error('forward.nat.address.too-large', `${path}/nat/address`, `NAT address range ${q(start)} - ${q(end)} in ${c.net} is too large (${size} addresses > 65536)`);
      }
    }
    if (nat.port !== undefined && (nat.port.start !== 0 || nat.port.end !== 0)) {
      const { start, end } = nat.port;
      if (end < start) {
        c.error('forward.nat.port.reversed', `${path}/nat/port`, `NAT port range ${start}-${end} in ${c.net} is invalid: end must be at least start`);
      } else if (end === start && c.runtime) {
        c.error('forward.nat.port.empty-range', `${path}/nat/port`, `NAT port range ${start}-${end} in ${c.net} is invalid: the firewall needs start < end`);
      }
    }
  }

  const interfaces = forward.interfaces ?? [];
  const addresses = forward.addresses ?? [];
  const seenDev = new Map<string, number>();
  interfaces.forEach((iface, i) => {
    const p = `${path}/interface[${i + 1}]`;
    if (iface.dev === '') {
      c.error('forward.interface.dev.empty', `${p}/@dev`, `forward interface ${i + 1} of ${c.net} has an empty dev`);
      return;
    }
    c.text(iface.dev, `${p}/@dev`, 'forward interface');
    const first = seenDev.get(iface.dev);
    if (first !== undefined) {
      c.error('forward.interface.duplicate', `${p}/@dev`, `interface ${q(iface.dev)} can only be listed once in ${c.net} (also interface ${first})`);
    } else {
      seenDev.set(iface.dev, i + 1);
    }
    if (c.runtime && interfaceNameFault(iface.dev) !== undefined) {
      c.error('forward.interface.dev.invalid', `${p}/@dev`, `forward interface ${q(iface.dev)} of ${c.net} is not a valid interface name`);
    }
    if ((mode === 'nat' || mode === 'route') && i === 1) {
      c.error('forward.interface.too-many', p, `multiple forwarding interfaces specified for ${c.net} (${q(interfaces[0]!.dev)}, ${q(iface.dev)}), only one is supported in ${mode} mode`);
    }
    if (mode === 'hostdev' && i === 0) {
      c.error('forward.hostdev.netdev', p, `hostdev ${c.net} lists ${q(iface.dev)} in the device pool, but hostdev networks require all devices to be listed by PCI address, not network device name`);
    }
  });
  if (mode === 'open' && interfaces.length > 0) {
    c.error('forward.interface.not-allowed', `${path}/interface[1]`, `forward dev ${q(interfaces[0]!.dev)} not allowed for ${c.net} with forward mode='open'`);
  }

  const seenPci = new Map<string, number>();
  addresses.forEach((a, i) => {
    const p = `${path}/address[${i + 1}]`;
    const name = pciName(a);
    if (mode !== 'hostdev' && i === 0) {
      c.error('forward.address.not-hostdev', p, `${c.net} has forward mode '${mode}' but lists PCI device ${name} in the device pool; this is only supported for forward mode 'hostdev'`);
    }
    for (const [field, max] of PCI_LIMITS) {
      if (a[field] > max) {
        c.error('forward.address.out-of-range', `${p}/@${field}`, `invalid PCI address ${field}='0x${a[field].toString(16)}' in ${c.net}, must be <= 0x${max.toString(16)}`);
      }
    }
    const first = seenPci.get(name);
    if (first !== undefined) {
      c.error('forward.address.duplicate', p, `PCI device ${q(name)} can only be listed once in ${c.net} (also address ${first})`);
    } else {
      seenPci.set(name, i + 1);
    }
  });

  if (forward.pf !== undefined) {
    if (forward.pf.dev === '') c.error('forward.pf.dev.empty', `${path}/pf/@dev`, `<pf> of ${c.net} has an empty dev`);
    else c.text(forward.pf.dev, `${path}/pf/@dev`, 'pf dev');
  }
  c.text(forward.driver?.model, `${path}/driver/@model`, 'driver model');

  const kinds = (forward.pf ? 1 : 0) + (interfaces.length > 0 ? 1 : 0) + (addresses.length > 0 ? 1 : 0);
  if (kinds > 1) {
    c.error(
      'forward.pool.mixed',
      path,
      `<address>, <interface>, and <pf> elements of <forward> in ${c.net} are mutually exclusive (found ${addresses.length} address, ${interfaces.length} interface, ${forward.pf ? 1 : 0} pf)`,
    );
  }

  if (c.runtime) {
    const hasPool = kinds > 0;
    const empty =
      mode === 'hostdev'
        ? addresses.length === 0 && !forward.pf
        : mode === 'private' || mode === 'vepa' || mode === 'passthrough'
          ? !hasPool
          : mode === 'bridge'
            ? !hasPool && network.bridge?.name === undefined
            : false;
    // libvirt starts such a network, but no guest can connect to it: a warning, not a refusal.
    if (empty) {
      c.warning(
        'forward.pool.empty',
        path,
        mode === 'bridge'
          ? `${c.net} uses forward mode='bridge' but names neither a bridge nor a forward device`
          : `${c.net} uses forward mode='${mode}' but has no forward device pool (${mode === 'hostdev' ? 'PCI <address> or <pf>' : '<interface> or <pf>'})`,
      );
    }
  }
}
