/**
 * `<route>`: static routes.
 *
 * @module
 */
import type { Route } from '../../model/route.js';
import { leafElement } from './layout.js';

/**
 * `<route family address netmask prefix gateway metric/>`: prefix whenever given (even 0, unlike
 * `<ip>`), metric only when non-zero.
 */
export function formatRoute(route: Route, level: number): string {
  let attrs = '';
  if (route.family !== undefined) attrs += ` family='${route.family}'`;
  attrs += ` address='${route.address}'`;
  if (route.netmask !== undefined) attrs += ` netmask='${route.netmask}'`;
  if (route.prefix !== undefined) attrs += ` prefix='${route.prefix}'`;
  attrs += ` gateway='${route.gateway}'`;
  if (route.metric) attrs += ` metric='${route.metric}'`;
  return leafElement('route', attrs, route.unknown, level);
}
