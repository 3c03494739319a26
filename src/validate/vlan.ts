/**
 * `<vlan>` of the network and of portgroups: the element rules of libvirt's parser, and the rule
 * of `networkValidate` on which network types can carry a VLAN at all.
 *
 * @module
 */
import type { Network, Vlan } from '../model/index.js';
import { modeOf } from './modes.js';
import { q, type Problems } from './problem.js';

/** Element rules of one `<vlan>` at `path` (`…/vlan`). */
export function validateVlanElement(vlan: Vlan, path: string, c: Problems): void {
  const tags = vlan.tags ?? [];
  if (tags.length === 0) {
    c.error('vlan.no-tags', path, `<vlan> of ${c.net} has no tag: each <vlan> must have at least one <tag id='n'/>`);
    return;
  }
  let native: number | undefined;
  tags.forEach((tag, i) => {
    const p = `${path}/tag[${i + 1}]`;
    if (!Number.isInteger(tag.id) || tag.id < 0 || tag.id > 4095) {
      c.error('vlan.tag.id.out-of-range', `${p}/@id`, `vlan tag id ${tag.id} in ${c.net} is out of range (maximum 4095)`);
    }
    if (tag.nativeMode !== undefined) {
      if (native !== undefined) {
        c.error('vlan.native.duplicate', `${p}/@nativeMode`, `duplicate native vlan setting: tags ${native} and ${i + 1} of <vlan> in ${c.net} both have a nativeMode`);
      } else {
        native = i + 1;
      }
    }
  });
  if (vlan.trunk === false) {
    if (tags.length > 1) {
      c.error('vlan.trunk.required', `${path}/@trunk`, `trunk='no' in <vlan> of ${c.net} is invalid: trunk='yes' is required for more than one vlan tag (${tags.length} given)`);
    } else if (native !== undefined) {
      c.error('vlan.trunk.no-with-native', `${path}/@trunk`, `trunk='no' in <vlan> of ${c.net} is not allowed with a native vlan id (tag ${tags[0]!.id})`);
    }
  }
}

/**
 * VLANs work only with hostdev and passthrough pools and Open vSwitch bridges (`networkValidate`).
 * A portgroup that will carry a VLAN (its own or the network's) and has its own virtualport must
 * be an openvswitch port on a bridge network; a network-level VLAN on an unsupported type is
 * forgiven only when a default portgroup exists (guests then always go through a portgroup).
 */
export function validateVlans(network: Network, c: Problems): void {
  if (network.vlan !== undefined) validateVlanElement(network.vlan, '/network/vlan', c);
  const portgroups = network.portgroups ?? [];
  portgroups.forEach((pg, i) => {
    if (pg.vlan !== undefined) validateVlanElement(pg.vlan, `/network/portgroup[${i + 1}]/vlan`, c);
  });

  const mode = modeOf(network);
  const vlanAllowed =
    mode === 'hostdev' || mode === 'passthrough' || (mode === 'bridge' && network.virtualport?.type === 'openvswitch');
  const networkVlan = (network.vlan?.tags?.length ?? 0) > 0;
  let hasDefault = false;
  portgroups.forEach((pg, i) => {
    if (pg.default === true) hasDefault = true;
    if (!networkVlan && (pg.vlan?.tags?.length ?? 0) === 0) return;
    const bad =
      pg.virtualport !== undefined
        ? mode !== 'bridge' || pg.virtualport.type !== 'openvswitch'
        : !vlanAllowed;
    if (bad) {
      c.error(
        'vlan.not-allowed',
        `/network/portgroup[${i + 1}]${pg.vlan ? '/vlan' : ''}`,
        pg.virtualport
          ? `portgroup ${q(pg.name)} of ${c.net} would carry a <vlan>, but its own <virtualport> (type ${pg.virtualport.type === undefined ? 'unset' : q(pg.virtualport.type)}) is not an openvswitch port on a forward mode='bridge' network (mode is '${mode}')`
          : `portgroup ${q(pg.name)} of ${c.net} would carry a <vlan>, but forward mode='${mode}'${network.virtualport?.type ? ` with virtualport ${q(network.virtualport.type)}` : ''} doesn't support vlan configuration (only hostdev, passthrough and bridge with an openvswitch virtualport do)`,
      );
    }
  });
  if (networkVlan && !vlanAllowed && !hasDefault) {
    c.error(
      'vlan.not-allowed',
      '/network/vlan',
      `<vlan> element specified for ${c.net}, whose type (forward mode='${mode}'${network.virtualport?.type ? `, virtualport ${q(network.virtualport.type)}` : ''}) doesn't support vlan configuration`,
    );
  }
}
