/**
 * `<bandwidth>` of the network or a portgroup (`virNetDevBandwidthParse` without class id and
 * without floor).
 *
 * @module
 */
import type { Bandwidth, BandwidthRate } from '../../model/bandwidth.js';
import type { UInt } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { collectUnknown, firstChild, type ParseContext } from './context.js';
import { BANDWIDTH_SPEC } from './schema.js';
import { parseCUnsigned } from './scalars.js';

function decodeRate(node: XNode, path: string, ctx: ParseContext): BandwidthRate {
  const { average, peak, burst, floor } = node.attrs;
  if (average === undefined && floor === undefined)
    ctx.fail(
      'bandwidth.rate.missing-average',
      node,
      path,
      `<${node.name}> in the bandwidth of ${ctx.net} needs an 'average' (or 'floor') attribute.`,
    );
  if ((peak !== undefined || burst !== undefined) && average === undefined)
    ctx.fail(
      'bandwidth.rate.requires-average',
      node,
      path,
      `'peak' and 'burst' of <${node.name}> in the bandwidth of ${ctx.net} require an 'average' attribute.`,
    );
  const rate: BandwidthRate = {};
  const read = (attr: 'average' | 'peak' | 'burst', v: string | undefined): void => {
    if (v === undefined) return;
    const r = parseCUnsigned(v, 10);
    if (!r.ok)
      ctx.fail(
        'bandwidth.rate.invalid',
        node,
        `${path}/@${attr}`,
        `Invalid bandwidth ${attr} '${v}' in <${node.name}> of ${ctx.net}: expected a non-negative integer${r.tooLarge ? ' below 2^53' : ''}.`,
      );
    rate[attr] = r.value as UInt;
  };
  read('average', average);
  read('peak', peak);
  read('burst', burst);
  if (floor !== undefined)
    ctx.fail(
      'bandwidth.floor.unsupported',
      node,
      `${path}/@floor`,
      `The 'floor' attribute of <${node.name}> is only supported on guest interfaces, not in ${ctx.net}.`,
    );
  if (ctx.preserve) {
    const u = collectUnknown(node, BANDWIDTH_SPEC.children.get(node.name)!);
    if (u) rate.unknown = u;
  }
  return rate;
}

/** Decode `<bandwidth>`; undefined when it has neither `<inbound>` nor `<outbound>`. */
export function decodeBandwidth(node: XNode, path: string, ctx: ParseContext): Bandwidth | undefined {
  if (node.attrs['classID'] !== undefined)
    ctx.fail(
      'bandwidth.class-id.unsupported',
      node,
      `${path}/@classID`,
      `The 'classID' attribute of <bandwidth> is not supported in ${ctx.net}.`,
    );
  const out: Bandwidth = {};
  const inbound = firstChild(node, 'inbound');
  if (inbound) out.inbound = decodeRate(inbound, `${path}/inbound`, ctx);
  const outbound = firstChild(node, 'outbound');
  if (outbound) out.outbound = decodeRate(outbound, `${path}/outbound`, ctx);
  if (!inbound && !outbound) return undefined;
  if (ctx.preserve) {
    const u = collectUnknown(node, BANDWIDTH_SPEC);
    if (u) out.unknown = u;
  }
  return out;
}
