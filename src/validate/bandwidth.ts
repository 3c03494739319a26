/**
 * `<bandwidth>` of the network and of portgroups: the rate rules of libvirt's parser
 * (`virNetDevBandwidthParse`), the limits of `networkValidate`, and which modes allow it.
 *
 * @module
 */
import type { Bandwidth, Network } from '../model/index.js';
import { modeOf, ownsBridge } from './modes.js';
import { q, type Problems } from './problem.js';

/** Largest average/peak/floor libvirt accepts (KiB/s): 2^54. */
export const MAX_RATE = 2 ** 54;
/** Largest burst libvirt accepts (KiB). */
export const MAX_BURST = 4194303;

/** Rules of one `<bandwidth>` at `path`; `owner` names it in messages. */
export function validateBandwidthElement(bw: Bandwidth, path: string, owner: string, c: Problems): void {
  for (const dir of ['inbound', 'outbound'] as const) {
    const rate = bw[dir];
    if (rate === undefined) continue;
    const p = `${path}/${dir}`;
    if (rate.average === undefined && rate.floor === undefined) {
      c.error('bandwidth.rate.missing-average', p, `<${dir}> of ${owner} in ${c.net} is missing the mandatory average or floor attribute`);
    }
    if ((rate.peak !== undefined || rate.burst !== undefined) && rate.average === undefined) {
      c.error(
        'bandwidth.rate.peak-burst-need-average',
        p,
        `'peak' (${rate.peak ?? 'unset'}) and 'burst' (${rate.burst ?? 'unset'}) of <${dir}> of ${owner} in ${c.net} require an 'average' attribute`,
      );
    }
    if (rate.floor !== undefined) {
      c.error('bandwidth.rate.floor.not-allowed', `${p}/@floor`, `floor ${rate.floor} of <${dir}> of ${owner} in ${c.net} is not supported: floor is for guest interfaces only`);
    }
    for (const [field, max] of [
      ['average', MAX_RATE],
      ['peak', MAX_RATE],
      ['floor', MAX_RATE],
      ['burst', MAX_BURST],
    ] as const) {
      const v = rate[field];
      if (v !== undefined && v > max) {
        c.error('bandwidth.rate.too-big', `${p}/@${field}`, `value ${v} is too big for '${field}' of <${dir}> of ${owner} in ${c.net}, maximum is ${max}`);
      }
    }
  }
}

/**
 * Network-wide bandwidth is allowed for the modes that own their bridge and for mode bridge with a
 * bridge name; portgroup bandwidth likewise.
 */
export function validateBandwidths(network: Network, c: Problems): void {
  const mode = modeOf(network);
  const allowed = ownsBridge(mode) || (mode === 'bridge' && network.bridge?.name !== undefined);
  if (network.bandwidth !== undefined) {
    validateBandwidthElement(network.bandwidth, '/network/bandwidth', 'the network', c);
    if (!allowed) {
      c.error('bandwidth.not-allowed', '/network/bandwidth', `unsupported network-wide <bandwidth> element in ${c.net} with forward mode='${mode}'`);
    }
  }
  (network.portgroups ?? []).forEach((pg, i) => {
    if (pg.bandwidth === undefined) return;
    const path = `/network/portgroup[${i + 1}]/bandwidth`;
    validateBandwidthElement(pg.bandwidth, path, `portgroup ${q(pg.name)}`, c);
    if (!allowed) {
      c.error('portgroup.bandwidth.not-allowed', path, `unsupported <bandwidth> element in portgroup ${q(pg.name)} of ${c.net} with forward mode='${mode}'`);
    }
  });
}
