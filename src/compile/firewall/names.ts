/**
 * Checking the strings that become part of a firewall rule: interface names (the bridge, the
 * forward device). They end up as iptables/nft arguments, inside nft script quotes and in nft
 * chain names, so only a conservative character set passes.
 *
 * @module
 */
import { CompileError } from '../errors.js';
import { interfaceNameFault } from '../interface-name.js';

export { IFNAME_MAX_BYTES } from '../interface-name.js';

/**
 * Throw `CompileError` `firewall.interface-name` unless `name` is a valid interface name that can
 * enter a firewall rule unquoted (the rule of `interfaceNameFault` in compile/interface-name.ts).
 *
 * @example
 * ```ts
 * checkInterfaceName('virbr0', 'options.bridge'); // ok
 * checkInterfaceName('eth0 -j ACCEPT', '/network/forward/@dev'); // throws
 * ```
 */
export function checkInterfaceName(name: string, path: string): void {
  const fault = interfaceNameFault(name);
  if (fault !== undefined) {
    throw new CompileError('firewall.interface-name', path, `invalid interface name ${JSON.stringify(name)}: ${fault.reason}`);
  }
}
