/**
 * The forward mode of a network and the two families of modes libvirt distinguishes.
 *
 * @module
 */
import type { ForwardMode, Network } from '../model/index.js';

/** A forward mode, with `none` for an isolated network (no `<forward>`). */
export type Mode = ForwardMode | 'none';

/** The network's mode; `none` when it has no `<forward>`. */
export function modeOf(network: Network): Mode {
  return network.forward?.mode ?? 'none';
}

/**
 * True for the modes where libvirt creates and owns the bridge (none, nat, route, open): only
 * they may have a bridge MAC, `<ip>`, DNS records, `<domain>`, an MTU, STP/delay and a zone.
 */
export function ownsBridge(mode: Mode): boolean {
  return mode === 'none' || mode === 'nat' || mode === 'route' || mode === 'open';
}
