/**
 * `<portgroup>`: names (present, unique) and the single default. Their vlan, virtualport and
 * bandwidth are checked with the network's in vlan.ts, virtualport.ts and bandwidth.ts.
 *
 * @module
 */
import type { Network } from '../model/index.js';
import { q, type Problems } from './problem.js';

/** Checks of every `<portgroup>`. */
export function validatePortgroups(network: Network, c: Problems): void {
  const seen = new Map<string, number>();
  let defaultGroup: { name: string; index: number } | undefined;
  (network.portgroups ?? []).forEach((pg, i) => {
    const path = `/network/portgroup[${i + 1}]`;
    if (typeof pg.name !== 'string' || pg.name === '') {
      c.error('portgroup.name.empty', `${path}/@name`, `portgroup ${i + 1} of ${c.net} has no name`);
    } else {
      const first = seen.get(pg.name);
      if (first !== undefined) {
        c.error('portgroup.name.duplicate', `${path}/@name`, `multiple <portgroup> elements with the same name ${q(pg.name)} (portgroups ${first} and ${i + 1}) in ${c.net}`);
      } else {
        seen.set(pg.name, i + 1);
      }
    }
    if (pg.default === true) {
      if (defaultGroup !== undefined) {
        c.error(
          'portgroup.default.multiple',
          `${path}/@default`,
          `${c.net} has multiple default <portgroup> elements (${q(defaultGroup.name)} and ${q(pg.name)}), but only one default is allowed`,
        );
      } else {
        defaultGroup = { name: pg.name, index: i + 1 };
      }
    }
  });
}
