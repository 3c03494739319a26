/**
 * Checking the strings that become part of a firewall rule: interface names (the bridge, the
 * forward device). They end up as iptables/nft arguments, inside nft script quotes and in nft
 * chain names, so only a conservative character set passes.
 *
 * @module
 */
import { CompileError } from '../errors.js';

/** Linux interface names hold at most 15 bytes (`IFNAMSIZ` 16 with the NUL). */
export const IFNAME_MAX_BYTES = 15;

/**
 * Characters accepted in an interface name that enters a rule. The kernel refuses `/`, `:` and
 * whitespace; iptables treats a trailing `+` as a wildcard and nft a `*`; quotes, `\`, `;`, `#`,
 * `{`, `}`, `@` and `$` would end or change an nft script token. What is left is letters, digits,
 * `_`, `.` and `-` — also exactly what an unquoted nft identifier may continue with, so the name
 * can be part of a chain name.
 */
const IFNAME_CHARS = /^[A-Za-z0-9_.-]+$/;

/**
 * Throw `CompileError` `firewall.interface-name` unless `name` is a valid interface name that can
 * enter a firewall rule unquoted: 1..15 bytes, letters, digits, `_`, `.`, `-`, not starting with
 * `-` (it would read as an option) and not `.` or `..`.
 *
 * @example
 * ```ts
 * checkInterfaceName('virbr0', 'options.bridge'); // ok
 * checkInterfaceName('eth0 -j ACCEPT', '/network/forward/@dev'); // throws
 * ```
 */
export function checkInterfaceName(name: string, path: string): void {
  const problem = interfaceNameProblem(name);
  if (problem !== undefined) {
    throw new CompileError('firewall.interface-name', path, `invalid interface name ${JSON.stringify(name)}: ${problem}`);
  }
}

function interfaceNameProblem(name: unknown): string | undefined {
  // The model types it as a string; an unchecked object from JavaScript may not.
  if (typeof name !== 'string') return 'it is not a string';
  if (name.length === 0) return 'it is empty';
  if (Buffer.byteLength(name, 'utf8') > IFNAME_MAX_BYTES) return `it is longer than ${IFNAME_MAX_BYTES} bytes`;
  if (!IFNAME_CHARS.test(name)) return 'only letters, digits, "_", "." and "-" are allowed';
  if (name.startsWith('-')) return 'it may not start with "-"';
  if (name === '.' || name === '..') return 'it may not be "." or ".."';
  return undefined;
}
