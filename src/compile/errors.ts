/**
 * The error every compiler stage throws for a network it cannot turn into host operations.
 *
 * @module
 */

/**
 * A network (or compiler option) that cannot be compiled. `code` is stable and machine-readable
 * (`dnsmasq.unsafe-value`, `dnsmasq.multiple-ipv4-dhcp`, …); `path` names the element or
 * attribute at fault, XPath-style (`/network/ip[2]/dhcp/host[3]/@mac`), or an option name such
 * as `options.bridge` when the value came from the caller rather than the document.
 *
 * @example
 * ```ts
 * try {
 *   dnsmasqConfig(net, { bridge: 'virbr0' });
 * } catch (e) {
 *   if (e instanceof CompileError) console.error(`${e.path}: ${e.message} [${e.code}]`);
 * }
 * ```
 */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(
    readonly code: string,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}
