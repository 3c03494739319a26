/**
 * The one rule for interface names that enter a plan: the bridge and the forward device become
 * `ip -batch` tokens, `/proc/sys` path components, iptables/nft arguments and parts of nft chain
 * names, so virtnet accepts a conservative subset of what the kernel takes.
 *
 * @module
 */

/** Linux interface names hold at most 15 bytes (`IFNAMSIZ` 16 with the NUL). */
export const IFNAME_MAX_BYTES = 15;

/**
 * Letters, digits, `_`, `.` and `-`. The kernel refuses `/`, `:` and whitespace; iptables reads a
 * trailing `+` as a wildcard and nft a `*`; quotes, `\\`, `;`, `#`, `{`, `}`, `@` and `$` would end
 * or change a script token. What is left is also what an unquoted nft identifier may continue with.
 */
const IFNAME_CHARS = /^[A-Za-z0-9_.-]+$/;

/** Why an interface name is refused. */
export interface InterfaceNameFault {
  kind: 'empty' | 'too-long' | 'invalid-char';
  /** A clause that finishes "invalid interface name X: …". */
  reason: string;
}

/**
 * Why `name` cannot enter a plan, or undefined when it can: 1..15 bytes of letters, digits, `_`,
 * `.` and `-`, not starting with `-` (it would read as an option) and not `.` or `..`.
 *
 * @example
 * ```ts
 * interfaceNameFault('virbr0'); // undefined
 * interfaceNameFault('eth0 -j ACCEPT')?.kind; // 'invalid-char'
 * ```
 */
export function interfaceNameFault(name: unknown): InterfaceNameFault | undefined {
  // The model types it as a string; an unchecked object from JavaScript may not.
  if (typeof name !== 'string') return { kind: 'invalid-char', reason: 'it is not a string' };
  if (name.length === 0) return { kind: 'empty', reason: 'it is empty' };
  if (Buffer.byteLength(name, 'utf8') > IFNAME_MAX_BYTES) return { kind: 'too-long', reason: `it is longer than ${IFNAME_MAX_BYTES} bytes` };
  if (!IFNAME_CHARS.test(name)) return { kind: 'invalid-char', reason: 'only letters, digits, "_", "." and "-" are allowed' };
  if (name.startsWith('-')) return { kind: 'invalid-char', reason: 'it may not start with "-"' };
  if (name === '.' || name === '..') return { kind: 'invalid-char', reason: 'it may not be "." or ".."' };
  return undefined;
}
