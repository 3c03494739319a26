/**
 * The network's own device: `<bridge>`, `<mac>`, `<mtu>`, and `<domain>`, with the per-mode rules
 * of libvirt's parser and `networkValidate`.
 *
 * @module
 */
import { MacAddress, type Network } from '../model/index.js';
import { modeOf, ownsBridge } from './modes.js';
import { q, type Problems } from './problem.js';

/** Linux interface names hold at most 15 bytes (IFNAMSIZ 16 with the NUL). */
export const MAX_IFNAME_BYTES = 15;

/** libvirt tries bridge ids 0..256 when it fills a `%d` template, so a filled name has ≤ 3 digits. */
const TEMPLATE_DIGITS = 3;

const ZONE = /^[a-zA-Z0-9_-]+$/;

/** True when the first octet of a MAC has the multicast (group) bit set. */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, mac.indexOf(':')), 16) & 1) === 1;
}

/**
 * Why the kernel would refuse an interface name (`dev_valid_name`), or undefined when it is fine:
 * empty, `.`/`..`, more than 15 bytes, or `/`, `:` or whitespace in it.
 */
export function interfaceNameFault(name: string): 'too-long' | 'invalid-char' | undefined {
  if (name === '' || name === '.' || name === '..' || /[/:\s\0]/.test(name)) return 'invalid-char';
  if (Buffer.byteLength(name, 'utf8') > MAX_IFNAME_BYTES) return 'too-long';
  return undefined;
}

/** Checks of `<bridge>`, `<mac>`, `<mtu>` and `<domain>`. */
export function validateBridge(network: Network, c: Problems): void {
  const mode = modeOf(network);
  const bridge = network.bridge;
  const owns = ownsBridge(mode);

  if (bridge !== undefined) {
    const path = '/network/bridge';
    if (bridge.name !== undefined) {
      c.text(bridge.name, `${path}/@name`, 'bridge name');
      validateBridgeName(bridge.name, `${path}/@name`, c);
      if (mode === 'private' || mode === 'vepa' || mode === 'passthrough' || mode === 'hostdev') {
        c.error('bridge.name.not-allowed', `${path}/@name`, `bridge name ${q(bridge.name)} not allowed in ${mode} mode (${c.net})`);
      } else if (mode === 'bridge' && ((network.forward?.interfaces?.length ?? 0) > 0 || network.forward?.pf)) {
        c.error(
          'bridge.name-with-forward-dev',
          `${path}/@name`,
          `a network with forward mode='bridge' can specify a bridge name (${q(bridge.name)}) or a forward dev, but not both (${c.net})`,
        );
      }
    }
    if (bridge.zone !== undefined) {
      c.text(bridge.zone, `${path}/@zone`, 'bridge zone');
      if (!ZONE.test(bridge.zone)) {
        c.error('bridge.zone.invalid-char', `${path}/@zone`, `bridge zone ${q(bridge.zone)} of ${c.net} may only hold letters, digits, '_' and '-'`);
      }
    }
    if (!owns) {
      if (bridge.zone !== undefined && mode !== 'bridge') {
        c.error('bridge.zone.not-allowed', `${path}/@zone`, `bridge zone ${q(bridge.zone)} not allowed in ${mode} mode (${c.net})`);
      }
      if (bridge.stp !== undefined || (bridge.delay ?? 0) !== 0 || (bridge.zone !== undefined && mode === 'bridge')) {
        c.error(
          'bridge.stp-delay.not-allowed',
          path,
          `bridge delay/stp/zone options (stp=${bridge.stp ?? 'unset'}, delay=${bridge.delay ?? 0}, zone=${bridge.zone ?? 'unset'}) only allowed in open, route, nat, and isolated mode, not in ${mode} (${c.net})`,
        );
      }
      if (bridge.macTableManager !== undefined && mode !== 'bridge') {
        c.error(
          'bridge.mac-table-manager.not-allowed',
          `${path}/@macTableManager`,
          `bridge macTableManager setting ${q(bridge.macTableManager)} not allowed in ${mode} mode (${c.net})`,
        );
      }
    }
  }

  if (network.mac !== undefined) {
    const path = '/network/mac/@address';
    if (!MacAddress.is(network.mac)) {
      c.error('mac.invalid', path, `invalid bridge mac address ${q(network.mac)} in ${c.net}`);
    } else if (isMulticastMac(network.mac)) {
      c.error('mac.multicast', path, `invalid multicast bridge mac address ${q(network.mac)} in ${c.net}`);
    }
    if (!owns) {
      c.error('mac.not-allowed', '/network/mac', `unsupported <mac> element (${q(network.mac)}) in ${c.net} with forward mode='${mode}'`);
    }
  }

  if (network.mtu !== undefined && network.mtu !== 0) {
    const path = '/network/mtu/@size';
    if (!owns) {
      c.error('mtu.not-allowed', path, `mtu size ${network.mtu} only allowed in open, route, nat, and isolated mode, not in ${mode} (${c.net})`);
    } else if (c.runtime && (network.mtu < 68 || network.mtu > 65535)) {
      c.error('mtu.out-of-range', path, `mtu size ${network.mtu} of ${c.net} is outside 68..65535, which a bridge accepts`);
    }
  }

  const domain = network.domain;
  if (domain !== undefined) {
    const path = '/network/domain';
    c.text(domain.name, `${path}/@name`, 'domain name');
    if (domain.register === true && domain.localOnly !== true) {
      c.error(
        'domain.register-needs-local-only',
        `${path}/@register`,
        `attribute 'register=yes' in <domain name=${q(domain.name)}> requires 'localOnly=yes' in ${c.net}`,
      );
    }
    if (!owns) {
      c.error('domain.not-allowed', path, `unsupported <domain> element (${q(domain.name)}) in ${c.net} with forward mode='${mode}'`);
    }
  }
}

/**
 * Bridge names: a `%` makes the name a template that libvirt fills with the first free number,
 * which works only with exactly one `%` directly followed by `d` (otherwise libvirt silently uses
 * `virbr%d`, or the kernel refuses the `%`). Kernel limits apply to the filled name.
 */
function validateBridgeName(name: string, path: string, c: Problems): void {
  if (!c.runtime) return;
  const percent = name.indexOf('%');
  let filled = name;
  if (percent >= 0) {
    if (percent !== name.lastIndexOf('%') || name[percent + 1] !== 'd') {
      c.error(
        'bridge.name.template',
        path,
        `bridge name ${q(name)} of ${c.net} holds '%' but is not a template with exactly one '%d'`,
      );
      return;
    }
    filled = name.replace('%d', '9'.repeat(TEMPLATE_DIGITS));
  }
  const fault = interfaceNameFault(filled);
  if (fault === 'invalid-char') {
    c.error(
      'bridge.name.invalid-char',
      path,
      `bridge name ${q(name)} of ${c.net} is not a valid interface name (no '/', ':', whitespace, '.' or '..')`,
    );
  } else if (fault === 'too-long') {
    c.error(
      'bridge.name.too-long',
      path,
      `bridge name ${q(name)} of ${c.net} is longer than ${MAX_IFNAME_BYTES} bytes${percent >= 0 ? ` once '%d' is filled with up to ${TEMPLATE_DIGITS} digits` : ''}`,
    );
  }
}
