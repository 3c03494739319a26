/**
 * `<portgroup>` (`virNetworkPortGroupParseXML`): name, default, trustGuestRxFilters, then its
 * virtualport, bandwidth and vlan (in that order of checking).
 *
 * @module
 */
import type { PortGroup } from '../../model/portgroup.js';
import type { XNode } from '../tree.js';
import { decodeBandwidth } from './bandwidth.js';
import { collectUnknown, firstChild, readTristate, xpathAttr, type ParseContext } from './context.js';
import { specAt } from './schema.js';
import { isCaseYes } from './scalars.js';
import { decodeVirtualPort } from './virtualport.js';
import { decodeVlan } from './vlan.js';

/** Decode one `<portgroup>`. */
export function decodePortGroup(node: XNode, path: string, ctx: ParseContext): PortGroup {
  const name = xpathAttr(node, 'name');
  if (name === undefined) ctx.fail('portgroup.name.missing', node, path, `A <portgroup> of ${ctx.net} has no 'name' attribute.`);
  const pg: PortGroup = { name };
  const isDefault = xpathAttr(node, 'default');
  if (isDefault !== undefined && isCaseYes(isDefault)) pg.default = true;
  const trust = readTristate(ctx, node, path, 'trustGuestRxFilters', 'portgroup.trust-guest-rx-filters.invalid');
  if (trust !== undefined) pg.trustGuestRxFilters = trust;
  const vp = firstChild(node, 'virtualport');
  if (vp !== undefined) {
    const v = decodeVirtualPort(vp, `${path}/virtualport`, ctx, false);
    if (v.type !== undefined || v.parameters !== undefined || v.unknown !== undefined) pg.virtualport = v;
  }
  const bw = firstChild(node, 'bandwidth');
  if (bw !== undefined) {
    const b = decodeBandwidth(bw, `${path}/bandwidth`, ctx);
    if (b !== undefined) pg.bandwidth = b;
  }
  const vlan = firstChild(node, 'vlan');
  if (vlan !== undefined) pg.vlan = decodeVlan(vlan, `${path}/vlan`, ctx);
  if (ctx.preserve) {
    const u = collectUnknown(node, specAt('portgroup'));
    if (u) pg.unknown = u;
  }
  return pg;
}
